"""Redis (the cache and the broker) stops: the desk keeps taking tickets and replies.

The first fault-injection run answered 500 to a new ticket (routing's rule cache and the API
throttle needed the cache) and made a reply hang 19 s before a 500, although it was saved
(publishing after commit retried the broker). Now the cache reads as empty, the rule set is
rebuilt from the database, and a publish that fails is logged; the outbox and the SLA sweep
pick the work up once Redis is back.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.core.queue import publish
from apps.routing.rules import rule_create
from apps.sla import services as sla_services
from apps.sla import tasks as sla_tasks
from apps.sla.calendars import calendar_forget
from apps.sla.models import Clock
from apps.tickets.models import Comment, Priority, Ticket
from tests.conftest import signed_in
from tests.factories import PASSWORD

from ..sla.factories import ROUND_THE_CLOCK, calendar_with, policy_with
from ..tickets.api_support import api_as, queued_ticket, tickets_url

pytestmark = [pytest.mark.outage, pytest.mark.django_db(transaction=True)]

NEW_TICKET = {"subject": "Card payments declined", "description": "Every Visa card, till 3."}


@pytest.fixture
def routed_to(team, triage_team, admin_user, lookups):
    """One rule: card payment problems go to the Service Desk."""
    rule_create(
        actor=admin_user,
        data={
            "name": "Cards to the desk",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "card"}]},
            "actions": [{"action": "set_team", "params": {"team": team.pk}}],
        },
    )
    return team


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_down_tickets_replies_and_throttled_calls_still_work(
    private_redis, routed_to, requester, agent
):
    existing = queued_ticket(requester, routed_to)
    private_redis.stop()

    # The portal.
    portal, portal_took = timed(
        lambda: signed_in(requester).post(reverse("portal:new"), NEW_TICKET)
    )
    assert portal.status_code == 302
    assert portal_took < 5
    from_portal = Ticket.objects.exclude(pk=existing.pk).get()
    assert from_portal.team == routed_to  # routed by the rule, read from the database

    # The API.
    api, api_took = timed(
        lambda: api_as(requester).post(
            tickets_url(), {**NEW_TICKET, "subject": "Card reader broken"}, format="json"
        )
    )
    assert api.status_code == 201
    assert api_took < 5
    assert Ticket.objects.get(pk=api.json()["id"]).team == routed_to

    # An agent's reply is saved and answered quickly, although its e-mail cannot be queued.
    reply, reply_took = timed(
        lambda: signed_in(agent).post(
            reverse("workspace:reply", args=[existing.reference]),
            {"visibility": "public", "body": "Please restart the till."},
        )
    )
    assert reply.status_code in (200, 302)
    assert reply_took < 5
    assert Comment.objects.filter(ticket=existing, body="Please restart the till.").exists()

    # The throttled endpoint: no cache means no count, not a 500.
    token = api_as(requester).post(
        "/api/v1/auth/token/", {"email": requester.email, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200

    # And a publish outside a request says it failed instead of raising or hanging.
    published, publish_took = timed(lambda: publish(sla_tasks.sla_sweep_task))
    assert published is False
    assert publish_took < 5


def test_when_redis_comes_back_the_desk_uses_it_again(private_redis, routed_to, requester):
    private_redis.stop()
    assert api_as(requester).post(tickets_url(), NEW_TICKET, format="json").status_code == 201

    private_redis.start()

    response = api_as(requester).post(tickets_url(), NEW_TICKET, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).team == routed_to
    cache.set("outage-probe", "back", 60)
    assert cache.get("outage-probe") == "back"
    assert publish(sla_tasks.sla_sweep_task) is True
    assert private_redis.client().llen("celery") >= 1  # really on the broker again


def test_the_sla_sweep_leaves_due_clocks_due_while_the_broker_is_down(
    private_redis, requester, team
):
    calendar_forget()
    calendar = calendar_with("24x7", ROUND_THE_CLOCK, time_zone="UTC")
    policy_with("Fast", calendar, {("first_response", Priority.NORMAL): 1})
    queued_ticket(requester, team)
    private_redis.stop()

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        found, took = timed(sla_services.sla_sweep)  # beat's sweep: must not raise
        assert found["breach"]
        assert took < 5
        due = Clock.objects.get(pk=found["breach"][0])
        assert due.breached_at is None  # nothing was claimed: still due

        private_redis.start()
        assert sla_services.sla_sweep()["breach"] == found["breach"]  # the next beat
    assert private_redis.client().llen("celery") >= 1
