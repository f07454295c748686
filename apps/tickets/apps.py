from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        from . import actions, merge  # noqa: F401  (merge declares its event kinds)

        actions.register_builtin_actions()

        from .custom_fields import admin as custom_fields_admin  # noqa: F401
        from .custom_fields import selectors as custom_fields

        custom_fields.register()
        from .tiers import admin, events, receivers, registry  # noqa: F401  (register on import)

        receivers.register()
        registry.register()
        _register_panels()


def _register_panels() -> None:
    from . import extensions
    from .views import duplicates

    extensions.ticket_panel(
        extensions.Panel(
            name="similar",
            template="tickets/workspace/_similar_panel.html",
            context=duplicates.panel_context,
            audience="agent",
            order=17,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="similar-new",
            template="tickets/portal/_similar_panel.html",
            audience="portal_new",
            order=5,
        )
    )
