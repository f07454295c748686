"""Idempotency-Key: a client that lost the answer to a create or a reply retries safely."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.tickets.idempotency import idempotency_keys_purge
from apps.tickets.models import ApiIdempotencyKey, Comment, Ticket
from apps.tickets.tasks import idempotency_keys_purge_task

from .api_support import api_as, queued_ticket, tickets_url

pytestmark = pytest.mark.django_db

NEW_TICKET = {"subject": "Till 3 will not print", "description": "Light blinks red."}


def test_a_retried_create_answers_the_first_response_and_creates_nothing(requester):
    client = api_as(requester)

    first = client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Ticket.objects.count() == 1


def test_a_retried_reply_is_saved_once(requester, team, agent):
    ticket = queued_ticket(requester, team)
    client = api_as(agent)
    url = tickets_url(ticket, "comments")

    responses = [
        client.post(url, {"body": "Restart the till."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
        for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert Comment.objects.filter(ticket=ticket).count() == 1


def test_the_same_key_with_another_body_is_refused(requester):
    client = api_as(requester)
    client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    other = client.post(
        tickets_url(),
        {**NEW_TICKET, "subject": "Another problem"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert other.status_code == 422
    assert "already used for another request" in other.json()["detail"]
    assert Ticket.objects.count() == 1


def test_keys_belong_to_one_user_and_requests_without_a_key_are_unchanged(
    requester, other_requester
):
    api_as(requester).post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    theirs = api_as(other_requester).post(
        tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    api_as(requester).post(tickets_url(), NEW_TICKET, format="json")
    api_as(requester).post(tickets_url(), NEW_TICKET, format="json")

    assert theirs.status_code == 201
    assert not theirs.has_header("Idempotent-Replayed")
    assert Ticket.objects.count() == 4


def test_a_refused_request_keeps_the_key_free_for_the_corrected_one(requester):
    client = api_as(requester)

    bad = client.post(tickets_url(), {"subject": "No description"}, HTTP_IDEMPOTENCY_KEY="k-1")
    good = client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (bad.status_code, good.status_code) == (400, 201)
    assert Ticket.objects.count() == 1


def test_a_key_longer_than_255_characters_is_a_400(requester):
    response = api_as(requester).post(
        tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Ticket.objects.count() == 0


def test_keys_expire_after_a_day_and_are_purged(requester):
    client = api_as(requester)
    client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        again = client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert again.status_code == 201
        assert not again.has_header("Idempotent-Replayed")  # a new request: a second ticket
        client.post(tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    with time_machine.travel(timezone.now() + timedelta(hours=50)):
        assert idempotency_keys_purge_task() == 2
        assert idempotency_keys_purge() == 0

    assert Ticket.objects.count() == 3
    assert not ApiIdempotencyKey.objects.exists()


def test_the_schema_documents_the_header(requester):
    schema = api_as(requester).get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code == 404:
        pytest.skip("no schema endpoint at /api/schema/")
    text = schema.content.decode()
    assert "Idempotency-Key" in text


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_ticket(requester):
    """Ten copies of the same request at once (a client retrying on a timeout)."""
    start = threading.Barrier(10)
    statuses = []

    def send():
        client = APIClient()
        client.force_authenticate(requester)
        start.wait(10)
        try:
            response = client.post(
                tickets_url(), NEW_TICKET, format="json", HTTP_IDEMPOTENCY_KEY="burst"
            )
            statuses.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(statuses) == 10
    assert {code for code, _ in statuses} == {201}
    assert len({pk for _, pk in statuses}) == 1
    assert Ticket.objects.count() == 1
