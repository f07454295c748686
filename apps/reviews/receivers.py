"""Where reviews plug into tickets: each part's events, reactions and panels, and the
"Reviews" entry of the agents' navigation."""


def register() -> None:
    from apps.tickets import extensions

    from .mentoring import receivers as mentoring
    from .satisfaction import receivers as satisfaction
    from .scoring import receivers as scoring

    for part in (scoring, mentoring, satisfaction):
        part.register()
    extensions.nav_link(extensions.NavLink("Reviews", "reviews:hub", audience="agent", order=66))
