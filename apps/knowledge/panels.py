"""What the knowledge base adds to tickets' pages and the navigation (from AppConfig.ready())."""

from apps.tickets import extensions


def suggestions_context(request, ticket) -> dict:
    """Beside the portal's new-ticket form: the htmx block fills itself from kb:suggest."""
    return {}


def agent_panel_context(request, ticket) -> dict:
    from .permissions import can_edit
    from .selectors import links_for_ticket

    if ticket is None or not can_edit(request.user):
        return {"kb_hidden": True}
    links = list(links_for_ticket(ticket=ticket, user=request.user))
    return {"kb_links": links, "kb_query": ticket.subject}


def register() -> None:
    extensions.ticket_panel(
        extensions.Panel(
            name="kb-suggestions",
            template="knowledge/panels/suggestions.html",
            context=suggestions_context,
            audience="portal_new",
            order=10,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="kb-agent",
            template="knowledge/panels/agent.html",
            context=agent_panel_context,
            audience="agent",
            order=60,
        )
    )
    extensions.nav_link(extensions.NavLink("Help centre", "kb:home", audience="all", order=80))
    extensions.nav_link(
        extensions.NavLink("Articles", "kb-desk:articles", audience="agent", order=60)
    )
    extensions.nav_link(
        extensions.NavLink("KB numbers", "kb-desk:numbers", audience="lead", order=61)
    )
    extensions.nav_link(
        extensions.NavLink("Article changes", "kb-desk:pending", audience="lead", order=62)
    )
