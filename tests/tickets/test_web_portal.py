"""The requester's portal: opening a request, following it, and never seeing what is not theirs."""

import pytest
from django.urls import reverse

from apps.tickets import extensions
from apps.tickets.models import Category, Comment, Status, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def portal_url(ticket, name="portal:ticket"):
    return reverse(name, args=[ticket.reference])


def open_request(requester, **extra):
    return ticket_create(
        requester=requester,
        subject="Till 3 will not print receipts",
        description="The printer light blinks red since this morning.",
        **extra,
    )


def test_my_requests_lists_only_my_own_tickets(requester, other_requester, requester_client):
    mine = open_request(requester)
    theirs = open_request(other_requester)

    response = requester_client.get(reverse("portal:tickets"))

    html = response.content.decode()
    assert mine.reference in html
    assert theirs.reference not in html
    assert 'class="badge status-new"' in html


def test_my_requests_are_paginated(requester, requester_client, django_assert_max_num_queries):
    TicketFactory.create_batch(25, requester=requester)

    with django_assert_max_num_queries(7):  # 6 + the top bar's unread notifications count
        first = requester_client.get(reverse("portal:tickets"))
    second = requester_client.get(reverse("portal:tickets"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert "Page 1 of 2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5


def test_new_request_offers_only_active_lookups(requester_client, lookups):
    Category.objects.create(name="Retired fax machine", is_active=False)

    html = requester_client.get(reverse("portal:new")).content.decode()

    assert "Cannot sign in" in html
    assert "Retired fax machine" not in html


def test_a_new_request_redirects_to_it_quoting_the_tracking_number(
    requester, requester_client, lookups, triage_team
):
    response = requester_client.post(
        reverse("portal:new"),
        {
            "subject": "Cannot sign in to the till",
            "description": "It says my user is locked.",
            "category": lookups["category"].pk,
            "location": lookups["location"].pk,
            "product": lookups["product"].pk,
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == portal_url(ticket)
    assert ticket.requester == requester
    assert (ticket.category, ticket.location, ticket.product) == (
        lookups["category"],
        lookups["location"],
        lookups["product"],
    )
    assert f"your request is {ticket.reference}" in response.content.decode()


def test_a_request_without_a_subject_names_the_field(requester_client):
    response = requester_client.post(reverse("portal:new"), {"description": "Broken."})

    assert response.status_code == 400  # the form again, with the message beside the field
    assert "subject" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_a_requester_never_sees_another_persons_ticket(other_requester, requester_client):
    theirs = open_request(other_requester)

    assert requester_client.get(portal_url(theirs)).status_code == 404
    assert (
        requester_client.get(reverse("workspace:ticket", args=[theirs.reference])).status_code
        == 404
    )
    reply = requester_client.post(portal_url(theirs, "portal:reply"), {"body": "me too"})
    assert reply.status_code == 404
    assert not Comment.objects.exists()


def test_an_unknown_tracking_number_is_a_404(requester_client):
    assert requester_client.get(reverse("portal:ticket", args=["SB-99999"])).status_code == 404
    assert requester_client.get(reverse("portal:ticket", args=["nonsense"])).status_code == 404


def test_the_life_of_a_request_through_the_web(requester, agent, team, requester_client):
    """Opened in the portal, answered and noted in the desk, resolved, reopened by a reply."""
    requester_client.post(
        reverse("portal:new"),
        {"subject": "VPN drops every hour", "description": "Since the update on Monday."},
    )
    ticket = Ticket.objects.get()
    ticket_update(ticket=ticket, actor=None, data={"team": team}, source="test routing")
    agent_client = signed_in(agent)
    desk_reply = reverse("workspace:reply", args=[ticket.reference])

    agent_client.post(desk_reply, {"visibility": "public", "body": "Please update the client."})
    agent_client.post(desk_reply, {"visibility": "internal", "body": "Known bug VPN-231, sigh."})

    html = requester_client.get(portal_url(ticket)).content.decode()
    assert "Please update the client." in html
    assert "Known bug VPN-231" not in html
    assert "Internal note" not in html

    agent_client.post(
        reverse("workspace:properties", args=[ticket.reference]),
        {
            "status": Status.RESOLVED,
            "resolution": "information",
            "priority": ticket.priority,
            "tier": ticket.tier,
            "team": team.pk,
        },
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    page = requester_client.get(portal_url(ticket)).content.decode()
    assert "reply below and it opens again" in page

    response = requester_client.post(
        portal_url(ticket, "portal:reply"), {"body": "Still dropping, sorry."}, follow=True
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert "The request is open again." in response.content.decode()


def test_a_closed_request_asks_for_a_new_one(requester, requester_client, team):
    ticket = open_request(requester)
    ticket_update(ticket=ticket, actor=None, data={"status": Status.CLOSED})

    html = requester_client.get(portal_url(ticket)).content.decode()

    assert "open a new request" in html
    assert 'name="body"' not in html
    response = requester_client.post(portal_url(ticket, "portal:reply"), {"body": "hello?"})
    assert response.status_code == 400
    assert "closed" in response.context["form"].errors["body"][0]


def test_an_agent_reading_their_own_request_still_sees_no_notes(agent, team):
    """An agent who is also the requester uses the portal like anyone else."""
    ticket = open_request(agent)
    ticket_update(ticket=ticket, actor=None, data={"team": team})
    comment_add(ticket=ticket, author=agent, body="Secret triage note", internal=True)

    html = signed_in(agent).get(portal_url(ticket)).content.decode()

    assert "Secret triage note" not in html


def test_portal_pages_render_registered_panels(
    requester, requester_client, monkeypatch, settings, tmp_path
):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "suggest.html").write_text("Try: {{ hint }} for {{ ticket.reference }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    for audience in ("portal_new", "requester"):
        panel = extensions.Panel(
            name=f"kb-{audience}",
            template="kb/suggest.html",
            context=lambda request, ticket: {"hint": "restart the router"},
            audience=audience,
        )
        monkeypatch.setitem(extensions._panels, panel.name, panel)
    ticket = open_request(requester)

    assert (
        "Try: restart the router for "
        in requester_client.get(reverse("portal:new")).content.decode()
    )
    assert f"Try: restart the router for {ticket.reference}" in (
        requester_client.get(portal_url(ticket)).content.decode()
    )
