"""Notification e-mails link only to a page their reader can open: a person who can no longer
open the ticket (it moved to another team) is told where it went instead of getting a 404."""

import pytest

from apps.tickets.events import notify
from apps.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def test_a_person_who_lost_the_ticket_is_told_where_it_went(
    opened, agent, other_team, mailoutbox, django_capture_on_commit_callbacks
):
    ticket_update(ticket=opened, actor=None, data={"team": other_team}, source="test move")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(ticket=opened, user_ids=[agent.pk], message="Still waiting on you", source="test")

    [mail] = mailoutbox
    assert mail.to == [agent.email]
    assert f"/tickets/{opened.reference}/" not in mail.body
    assert f"{opened.reference} has moved to Networks" in mail.body


def test_people_who_may_open_it_get_the_right_page(
    opened, agent, requester, other_agent, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            ticket=opened,
            user_ids=[agent.pk, requester.pk, other_agent.pk],
            message="Look at this",
            source="test",
        )

    body = {m.to[0]: m.body for m in mailoutbox}
    assert f"/desk/tickets/{opened.reference}/" in body[agent.email]
    assert f"/portal/tickets/{opened.reference}/" in body[requester.email]
    assert f"/tickets/{opened.reference}/" not in body[other_agent.email]
    assert "has moved to Service Desk" in body[other_agent.email]
