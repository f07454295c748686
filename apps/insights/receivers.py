"""Keeps each ticket's figures current (the last reaction before the mail, once per change),
and puts Insights in the agents' navigation."""


def register() -> None:
    from apps.tickets import extensions
    from apps.tickets.events import ORDER, reaction

    from .facts import facts_refresh_for_change

    # needs_ids: the fact counts the ticket's stored events (reopens), this change's included.
    reaction("insights.facts", facts_refresh_for_change, order=ORDER["insights"], needs_ids=True)
    # Agents see their own teams' figures, leads theirs, admins every team's.
    extensions.nav_link(
        extensions.NavLink("Insights", "insights:dashboard", audience="agent", order=65)
    )
