"""Demo data of this part of reviews."""


def populate(demo: dict) -> None:
    pass
