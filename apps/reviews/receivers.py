"""Where reviews plug into tickets: its events, reactions, panels and navigation."""


def register() -> None:
    from .mentoring import receivers as mentoring
    from .satisfaction import receivers as satisfaction
    from .scoring import receivers as scoring

    for part in (scoring, mentoring, satisfaction):
        part.register()
