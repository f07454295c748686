"""Duplicates: spotted by similarity, merged into the ticket that stays with nothing lost — the
thread, files, subtasks and people move, both histories say so, the requester is told once and
the duplicate's page leads to the ticket it joined, for everyone who could see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.subtasks.models import Subtask, SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets.models import Comment, Resolution, Status, Ticket, TicketEvent
from apps.tickets.services import comment_add, ticket_create
from tests.conftest import signed_in
from tests.factories import UserFactory


def queued(requester, team, subject, **fields):
    ticket = ticket_create(requester=requester, subject=subject, description="x", **fields)
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def pair(requester, other_requester, team, agent):
    kept = queued(requester, team, "Till 4 will not start")
    duplicate = queued(
        other_requester,
        team,
        "Till 4 does not start",
        attachments=[SimpleUploadedFile("photo.jpg", b"\xff\xd8 pixels", "image/jpeg")],
    )
    comment_add(ticket=duplicate, author=other_requester, body="The screen stays black.")
    comment_add(ticket=duplicate, author=agent, body="Checked the plug.", internal=True)
    return kept, duplicate


def merge(client, source, target):
    return client.post(reverse("workspace:merge", args=[source.reference]), {"target": target})


def test_a_duplicate_moves_everything_and_is_closed_pointing_at_the_ticket_it_joined(
    agent_client, agent, pair, other_requester, mailoutbox, django_capture_on_commit_callbacks
):
    kept, duplicate = pair
    ops = UserFactory(email="ops@example.com")
    task = subtask_create(
        ticket=duplicate,
        actor=agent,
        title="Swap the till",
        kind=SubtaskKind.objects.first(),
        assignee_user=ops,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = merge(agent_client, duplicate, kept.reference)

    assert response["Location"] == reverse("workspace:ticket", args=[kept.reference])
    assert set(Comment.objects.values_list("ticket_id", flat=True)) == {kept.pk}
    assert kept.attachments.get().filename == "photo.jpg"
    assert Subtask.objects.get(pk=task.pk).ticket_id == kept.pk
    assert kept.followers.filter(user=other_requester).exists()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.resolution, duplicate.merged_into) == (
        Status.CLOSED,
        Resolution.DUPLICATE,
        kept,
    )
    assert TicketEvent.objects.filter(ticket=duplicate, kind="merged_into").count() == 1
    assert TicketEvent.objects.filter(ticket=kept, kind="merged_from").count() == 1
    told = [m for m in mailoutbox if "continues here" in m.subject]
    assert [m.to for m in told] == [[other_requester.email]]
    assert kept.reference in told[0].subject


def test_the_duplicates_page_leads_everyone_who_could_see_it_to_the_ticket_it_joined(
    agent_client, pair, other_requester
):
    kept, duplicate = pair
    merge(agent_client, duplicate, kept.reference)
    oscar = signed_in(other_requester)

    desk = agent_client.get(reverse("workspace:ticket", args=[duplicate.reference]))
    portal = oscar.get(reverse("portal:ticket", args=[duplicate.reference]))
    joined = oscar.get(portal["Location"])

    assert desk["Location"] == reverse("workspace:ticket", args=[kept.reference])
    assert portal["Location"] == reverse("portal:ticket", args=[kept.reference])
    assert joined.status_code == 200
    page = joined.content.decode()
    assert "The screen stays black." in page  # their own words, now on the ticket that stays
    assert "Checked the plug." not in page  # never an internal note


def test_someone_else_still_cannot_read_the_ticket(agent_client, pair):
    kept, duplicate = pair
    merge(agent_client, duplicate, kept.reference)
    stranger = signed_in(UserFactory(email="stranger@example.com"))

    assert stranger.get(reverse("portal:ticket", args=[kept.reference])).status_code == 404
    assert stranger.get(reverse("portal:ticket", args=[duplicate.reference])).status_code == 404


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("self", "into itself"),
        ("other_team", "There is no ticket"),
        ("SB-99999999", "There is no ticket"),
        ("closed", "is closed"),
    ],
)
def test_a_refused_merge_says_why_and_moves_nothing(
    agent_client, pair, requester, other_team, team, target, words
):
    _, duplicate = pair
    others = queued(requester, other_team, "Networks ticket")
    closed = queued(requester, team, "Old one")
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    name = {
        "self": duplicate.reference,
        "other_team": others.reference,
        "closed": closed.reference,
    }.get(target, target)

    response = agent_client.post(
        reverse("workspace:merge", args=[duplicate.reference]), {"target": name}, follow=True
    )

    assert words in response.content.decode()
    assert Comment.objects.filter(ticket=duplicate).count() == 2
    assert Ticket.objects.get(pk=duplicate.pk).merged_into is None


def test_a_ticket_merged_already_names_where_to_merge_instead(
    agent_client, agent, pair, requester, team
):
    kept, duplicate = pair
    third = queued(requester, team, "Till 4 again")
    merge(agent_client, kept, third.reference)

    response = merge(agent_client, duplicate, kept.reference)

    assert response.status_code == 302
    page = agent_client.get(response["Location"]).content.decode()
    assert "merge into that one" in page
    assert third.reference in page


def test_the_agent_sees_similar_tickets_of_their_own_teams_only(
    agent_client, requester, team, other_team, pair
):
    kept, duplicate = pair
    hidden = queued(requester, other_team, "Till 4 will not start either")

    page = agent_client.get(reverse("workspace:ticket", args=[kept.reference])).content.decode()
    section = agent_client.get(reverse("workspace:similar", args=[kept.reference]))

    assert reverse("workspace:similar", args=[kept.reference]) in page  # fetched once in view
    assert duplicate.reference in section.content.decode()
    assert hidden.reference not in section.content.decode()


def test_the_similar_section_of_another_teams_ticket_is_not_there(
    agent_client, requester, other_team
):
    theirs = queued(requester, other_team, "Till 4 will not start")
    queued(requester, other_team, "Till 5 will not start")

    response = agent_client.get(reverse("workspace:similar", args=[theirs.reference]))

    assert response.status_code == 404


def test_the_new_request_form_offers_the_requesters_own_like_requests_only(
    requester_client, requester, other_requester, team
):
    mine = queued(requester, team, "Printer on floor 2 jams")
    theirs = queued(other_requester, team, "Printer on floor 3 jams")

    found = requester_client.get(reverse("portal:similar"), {"subject": "printer jams"})

    assert mine.reference in found.content.decode()
    assert theirs.reference not in found.content.decode()
