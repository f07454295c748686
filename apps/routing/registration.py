"""What routing plugs into tickets: its ticket action, resolve guard, panel and nav links."""

from apps.tickets import actions, extensions


def register_all() -> None:
    from . import services, views

    actions.register(
        actions.TicketAction(
            name="set_root_cause_hint",
            label="Set root-cause hint",
            params=(actions.Param("root_cause", "text", "Root cause (name)"),),
            clean=services.root_cause_hint_clean,
            apply=services.root_cause_hint_apply,
        )
    )
    extensions.resolve_guard("routing.root_cause", services.resolve_requires_root_cause)
    extensions.merge_step("routing", services.classification_merge)
    extensions.ticket_panel(
        extensions.Panel(
            name="routing",
            template="routing/panel.html",
            context=views.panel_context,
            audience="agent",
            order=40,
        )
    )
    extensions.nav_link(
        extensions.NavLink(
            "Triage", "routing:triage", audience="agent", order=20, shown_to=services.can_triage
        )
    )
    extensions.nav_link(
        extensions.NavLink("Root causes", "routing:report", audience="lead", order=60)
    )
