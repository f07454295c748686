"""The tech's one-line summary and the sponsor's private coaching note: who may write each, and
that the tech never reads the note."""

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.reviews.mentoring.models import ReviewEntry
from apps.reviews.mentoring.selectors import my_week
from apps.reviews.mentoring.services import entry_coach, entry_summarise

from .conftest import NEXT_WEEK, WEEK, client_for, text_of

NOTE = "Did you know you can reset the print head from the till's admin menu?"


def test_the_tech_summarises_a_ticket_they_touched(people, worked):
    tariq, ticket = people["tariq"], worked["tickets"]["Tariq"]
    entry = entry_summarise(
        actor=tariq, week=WEEK, ticket=ticket, summary="Cleaned the print head.", passed_on=False
    )
    assert (entry.tech, entry.week, entry.summary, entry.passed_on) == (
        tariq,
        WEEK,
        "Cleaned the print head.",
        False,
    )
    # A day of the week names the week too.
    again = entry_summarise(
        actor=tariq, week=WEEK.replace(day=5), ticket=ticket, summary="", passed_on=True
    )
    assert again.pk == entry.pk
    assert again.passed_on
    assert again.summary == ""


def test_a_summary_says_something(people, worked):
    with pytest.raises(ApplicationError, match="one line"):
        entry_summarise(
            actor=people["tariq"],
            week=WEEK,
            ticket=worked["tickets"]["Tariq"],
            summary="  ",
            passed_on=False,
        )
    with pytest.raises(ApplicationError, match="one line"):
        entry_summarise(
            actor=people["tariq"],
            week=WEEK,
            ticket=worked["tickets"]["Tariq"],
            summary="two\nlines",
            passed_on=False,
        )


def test_nobody_summarises_a_ticket_they_did_not_touch_that_week(people, worked):
    mias = worked["tickets"]["Mia"]
    with pytest.raises(ApplicationError, match="not among the tickets Tariq Haddad touched"):
        entry_summarise(actor=people["tariq"], week=WEEK, ticket=mias, summary="x", passed_on=False)
    with pytest.raises(ApplicationError, match="not among"):
        entry_summarise(
            actor=people["mia"], week=NEXT_WEEK, ticket=mias, summary="x", passed_on=False
        )
    assert not ReviewEntry.objects.exists()


def test_the_sponsor_cannot_write_the_techs_summary(people, worked):
    """The form names no tech: whoever posts writes their own line, and the sponsor did not
    touch Tariq's ticket."""
    ticket = worked["tickets"]["Tariq"]
    response = client_for(people["sponsor"]).post(
        reverse("reviews:mentoring_summarise"),
        {"week": WEEK.isoformat(), "ticket": ticket.reference, "summary": "He did great."},
        follow=True,
    )
    assert "not among the tickets Sofia Sponsor touched" in text_of(response)
    assert not ReviewEntry.objects.exists()


def test_the_sponsor_and_the_lead_coach_the_tech(people, worked):
    ticket = worked["tickets"]["Tariq"]
    entry = entry_coach(
        actor=people["sponsor"],
        week=WEEK,
        tech=people["tariq"],
        ticket=ticket,
        coaching_note=NOTE,
        suggest_article=True,
    )
    assert entry.coaching_note == NOTE
    assert entry.suggest_article
    assert entry.coached_by == people["sponsor"]
    entry_coach(
        actor=people["lead"],
        week=WEEK,
        tech=people["tariq"],
        ticket=ticket,
        coaching_note=NOTE + " (Lena)",
        suggest_article=False,
    )
    entry.refresh_from_db()
    assert entry.coached_by == people["lead"]
    assert not entry.suggest_article


@pytest.mark.parametrize("who", ["tariq", "mia", "other", "nia", "net_lead", "requester"])
def test_nobody_else_coaches_and_the_tech_least_of_all(people, worked, who):
    with pytest.raises(ApplicationError, match="Only Tariq Haddad's sponsor"):
        entry_coach(
            actor=people[who],
            week=WEEK,
            tech=people["tariq"],
            ticket=worked["tickets"]["Tariq"],
            coaching_note="Sneaky.",
            suggest_article=False,
        )
    assert not ReviewEntry.objects.exists()


def test_the_coach_form_refuses_the_tech_and_leaves_no_note(people, worked):
    ticket = worked["tickets"]["Tariq"]
    form = {
        "week": WEEK.isoformat(),
        "tech": people["tariq"].pk,
        "ticket": ticket.reference,
        "coaching_note": "I coach myself.",
    }
    # Tariq sponsors no one and leads nothing: the page does not exist for him.
    assert (
        client_for(people["tariq"]).post(reverse("reviews:mentoring_coach"), form).status_code
        == 404
    )
    # A lead of another team finds the page, but not the right to coach Tariq.
    response = client_for(people["net_lead"]).post(
        reverse("reviews:mentoring_coach"), form, follow=True
    )
    assert "Only Tariq Haddad's sponsor" in text_of(response)
    assert not ReviewEntry.objects.exists()


def test_the_tech_never_sees_the_coaching_note(people, worked):
    tariq, ticket = people["tariq"], worked["tickets"]["Tariq"]
    entry_summarise(actor=tariq, week=WEEK, ticket=ticket, summary="Cleaned it.", passed_on=False)
    entry_coach(
        actor=people["sponsor"],
        week=WEEK,
        tech=tariq,
        ticket=ticket,
        coaching_note=NOTE,
        suggest_article=True,
    )
    client = client_for(tariq)
    mine = client.get(reverse("reviews:mentoring_my_week_of", args=[WEEK.isoformat()]))
    text = text_of(mine)
    assert mine.status_code == 200
    assert ticket.reference in text
    assert "Cleaned it." in text
    assert "suggests an article" in text  # the suggestion is his to act on
    assert NOTE not in text
    assert "print head from the till" not in text
    assert not hasattr(my_week(tech=tariq, week=WEEK)[0], "coaching_note")
    # Nor on the sponsor's page, which he cannot open.
    sponsors = client.get(reverse("reviews:mentoring_week_of", args=[WEEK.isoformat()]))
    assert sponsors.status_code == 404
    # The sponsor reads both.
    page = client_for(people["sponsor"]).get(
        reverse("reviews:mentoring_week_of", args=[WEEK.isoformat()])
    )
    assert NOTE in text_of(page)
    assert "Cleaned it." in text_of(page)


def test_my_week_form_saves_the_summary_and_suggests_passed_on(people, worked):
    client = client_for(people["tariq"])
    url = reverse("reviews:mentoring_my_week_of", args=[WEEK.isoformat()])
    items = {item.ticket: item for item in my_week(tech=people["tariq"], week=WEEK)}
    assert set(items) == {worked["tickets"]["Tariq"], worked["passed"]}
    assert items[worked["passed"]].passed_on_checked  # suggested from the history
    assert not items[worked["tickets"]["Tariq"]].passed_on_checked

    response = client.post(
        reverse("reviews:mentoring_summarise"),
        {"week": WEEK.isoformat(), "ticket": worked["passed"].reference, "passed_on": "on"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url)
    entry = ReviewEntry.objects.get()
    assert entry.passed_on is True
    assert entry.tech == people["tariq"]
