"""Requesters of an organisation that shares its requests read each other's (never internal
notes, never answering); everyone else sees nothing more than before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Organisation
from apps.core.errors import ApplicationError
from apps.tickets.models import Attachment, Comment, Ticket
from apps.tickets.permissions import ticket_page_for
from apps.tickets.services import attachment_add, comment_add

from ..factories import CommentFactory, TicketFactory, UserFactory
from .api_support import api_as, tickets_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return Organisation.objects.create(name="Northwind Retail", requesters_share_tickets=True)


@pytest.fixture
def people(org, agent):
    contoso = Organisation.objects.create(name="Contoso", requesters_share_tickets=True)
    return {
        "rita": UserFactory(email="rita@northwind.example", organisation=org),
        "colleague": UserFactory(email="cole@northwind.example", organisation=org),
        "outsider": UserFactory(email="otto@contoso.example", organisation=contoso),
        "loner": UserFactory(email="lone@example.com"),  # no organisation
    }


@pytest.fixture
def ticket(people, team, agent):
    ticket = TicketFactory(requester=people["rita"], team=team, subject="Till 3 is down")
    CommentFactory(ticket=ticket, author=agent, body="Public answer", is_internal=False)
    CommentFactory(ticket=ticket, author=agent, body="SECRET internal note", is_internal=True)
    return ticket


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_colleague_reads_the_request_and_its_public_replies_only(ticket, people):
    response = client_of(people["colleague"]).get(reverse("portal:ticket", args=[ticket.reference]))

    assert response.status_code == 200
    assert b"Public answer" in response.content
    assert b"SECRET" not in response.content
    assert b"Send reply" not in response.content
    assert ticket_page_for(people["colleague"], ticket) == "portal:ticket"


def test_a_colleague_gets_nothing_of_the_desk(ticket, people):
    client = client_of(people["colleague"])
    before = Ticket.objects.filter(pk=ticket.pk).values().get()
    for name in ("workspace:ticket", "workspace:reply", "workspace:properties", "tiers:escalate"):
        response = client.post(reverse(name, args=[ticket.reference]))
        assert response.status_code in (302, 403, 404, 405), name  # 302: away to the portal
        assert response.get("Location", "/portal/") == "/portal/", name
    assert client.get(reverse("workspace:ticket", args=[ticket.reference])).status_code == 404
    assert Ticket.objects.filter(pk=ticket.pk).values().get() == before


def test_a_colleague_cannot_reply_or_attach_by_web_or_api(ticket, people):
    colleague = people["colleague"]
    before = Comment.objects.count()
    response = client_of(colleague).post(
        reverse("portal:reply", args=[ticket.reference]), {"body": "me too"}
    )
    assert response.status_code in (302, 403, 404)
    api = api_as(colleague)
    assert api.post(tickets_url(ticket, "comments"), {"body": "me too"}).status_code in (
        400,
        403,
        404,
    )
    upload = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    assert api.post(tickets_url(ticket, "attachments"), {"files": [upload]}).status_code in (
        400,
        403,
        404,
    )
    assert Comment.objects.count() == before
    assert not Attachment.objects.exists()
    with pytest.raises(ApplicationError):
        comment_add(ticket=ticket, author=colleague, body="me too")
    with pytest.raises(ApplicationError):
        attachment_add(ticket=ticket, user=colleague, files=[upload])


def test_the_api_lists_and_shows_colleagues_requests_without_notes(ticket, people):
    api = api_as(people["colleague"])

    listed = api.get(tickets_url()).json()["results"]
    detail = api.get(tickets_url(ticket))
    comments = api.get(tickets_url(ticket, "comments")).json()

    assert [t["reference"] for t in listed] == [ticket.reference]
    assert detail.status_code == 200
    assert "SECRET" not in detail.content.decode()
    bodies = [c["body"] for c in (comments["results"] if isinstance(comments, dict) else comments)]
    assert bodies == ["Public answer"]
    assert api.get(tickets_url(ticket, "history")).status_code == 404


def test_internal_files_stay_hidden_from_colleagues(ticket, people, agent):
    note = Comment.objects.get(is_internal=True)
    secret = Attachment.objects.create(
        ticket=ticket,
        comment=note,
        uploaded_by=agent,
        filename="secret.txt",
        content_type="text/plain",
        size=1,
        file=SimpleUploadedFile("secret.txt", b"s"),
    )
    response = client_of(people["colleague"]).get(reverse("files:attachment", args=[secret.pk]))
    assert response.status_code == 404
    files = api_as(people["colleague"]).get(tickets_url(ticket, "attachments")).json()
    assert files == []


def test_the_portal_list_toggles_to_the_organisations_requests(ticket, people):
    own = TicketFactory(requester=people["colleague"], subject="My own till")
    TicketFactory(requester=people["outsider"], subject="Contoso printer")
    client = client_of(people["colleague"])

    mine = client.get(reverse("portal:tickets"))
    shared = client.get(reverse("portal:tickets") + "?scope=organisation")

    assert b"My organisation's requests" in mine.content
    assert own.subject.encode() in mine.content
    assert b"Till 3 is down" not in mine.content
    assert b"Till 3 is down" in shared.content
    assert own.subject.encode() in shared.content
    assert b"Contoso printer" not in shared.content


@pytest.mark.parametrize("who", ["outsider", "loner"])
def test_another_organisation_or_none_sees_nothing(ticket, people, who):
    user = people[who]
    client = client_of(user)
    assert client.get(reverse("portal:ticket", args=[ticket.reference])).status_code == 404
    shared = client.get(reverse("portal:tickets") + "?scope=organisation")
    assert b"Till 3 is down" not in shared.content
    api = api_as(user)
    assert api.get(tickets_url()).json()["results"] == []
    assert api.get(tickets_url(ticket)).status_code == 404
    assert api.get(tickets_url(ticket, "comments")).status_code == 404


def test_nothing_is_shared_when_the_organisation_does_not_share(ticket, people, org):
    org.requesters_share_tickets = False
    org.save()
    colleague = people["colleague"]
    client = client_of(colleague)

    assert client.get(reverse("portal:ticket", args=[ticket.reference])).status_code == 404
    listed = client.get(reverse("portal:tickets") + "?scope=organisation")
    assert b"Till 3 is down" not in listed.content
    assert b"My organisation" not in listed.content  # no toggle either
    assert api_as(colleague).get(tickets_url(ticket)).status_code == 404
    assert ticket_page_for(colleague, ticket) is None


def test_sharing_is_off_by_default():
    assert Organisation.objects.create(name="Fresh").requesters_share_tickets is False


def test_the_shared_list_costs_the_same_queries_for_more_rows(
    people, django_assert_max_num_queries
):
    client = client_of(people["colleague"])
    url = reverse("portal:tickets") + "?scope=organisation"
    TicketFactory.create_batch(3, requester=people["rita"])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    TicketFactory.create_batch(15, requester=people["rita"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
