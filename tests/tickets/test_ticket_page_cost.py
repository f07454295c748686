"""The agent's ticket page costs the same queries for a short thread as for a long one: each
panel reads its part once, whatever the number of messages, files, authors and events."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.tickets.services import comment_add, ticket_create
from tests.conftest import signed_in
from tests.factories import agent_of

pytestmark = pytest.mark.django_db


def page_queries(client, ticket, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(60) as captured:
        response = client.get(reverse("workspace:ticket", args=[ticket.reference]))
    assert response.status_code == 200
    return len(captured)


def talk(ticket, *, agents, requester, rounds: int) -> None:
    """Replies from the requester and from several agents, notes, and files on some."""
    for n in range(rounds):
        comment_add(ticket=ticket, author=requester, body=f"Still broken, attempt {n}.")
        agent = agents[n % len(agents)]
        files = [SimpleUploadedFile(f"log-{n}.txt", b"error 42", content_type="text/plain")]
        comment_add(ticket=ticket, author=agent, body=f"Try step {n}.", attachments=files)
        comment_add(ticket=ticket, author=agent, body=f"Checked host {n}.", internal=True)


def test_the_ticket_page_costs_the_same_for_a_short_and_a_long_thread(
    agent, team, requester, lookups, django_assert_max_num_queries
):
    colleagues = [agent] + [agent_of(team, email=f"colleague{n}@example.com") for n in range(3)]
    ticket = ticket_create(
        requester=requester,
        subject="The printer on floor 2 jams",
        description="Every third page.",
        category=lookups["category"],
    )
    ticket.team = team
    ticket.save(update_fields=["team"])
    client = signed_in(agent)
    talk(ticket, agents=colleagues, requester=requester, rounds=1)
    short = page_queries(client, ticket, django_assert_max_num_queries)

    talk(ticket, agents=colleagues, requester=requester, rounds=12)
    long = page_queries(client, ticket, django_assert_max_num_queries)

    assert long == short
