"""/healthz/ (what an operator and monitoring look at) and /healthz/web/ (the load balancer)."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.tasks import HEARTBEAT_KEY, worker_heartbeat
from config.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(HEARTBEAT_KEY)


@pytest.fixture
def client(client, settings):
    """Monitoring, which reads the details with its token."""
    settings.HEALTH_TOKEN = "monitoring-token-for-tests"
    client.defaults["HTTP_X_HEALTH_TOKEN"] = settings.HEALTH_TOKEN
    return client


def test_anonymous_callers_learn_only_whether_it_is_healthy(db, settings):
    from django.test import Client

    settings.HEALTH_TOKEN = "the-real-token"
    for headers in ({}, {"HTTP_X_HEALTH_TOKEN": "a-guess"}):
        response = Client().get(reverse("healthz"), **headers)
        assert set(response.json()) == {"ok"}
        assert "postgres" not in response.content.decode()


def test_staff_see_the_details(admin_user):
    from tests.conftest import signed_in

    response = signed_in(admin_user).get(reverse("healthz"))

    assert {"database", "cache", "broker", "worker", "outbox"} <= set(response.json())


def test_healthy_when_database_broker_and_worker_are(client):
    worker_heartbeat.delay()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "transport": settings.CELERY_BROKER_URL.split(":")[0]}
    assert body["worker"]["ok"] is True
    assert body["worker"]["age_seconds"] < settings.WORKER_HEARTBEAT_STALE_SECONDS
    assert body["cache"] == {"ok": True}
    assert body["outbox"] == {
        "ok": True,
        "pending": 0,
        "sending": 0,
        "failed": 0,
        "oldest_pending_age_seconds": 0,
        "overdue_seconds": 0,
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_unhealthy_when_no_worker_ever_beat(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["database"]["ok"] is True
    assert body["worker"]["ok"] is False
    assert "no heartbeat" in body["worker"]["error"]


def test_unhealthy_when_the_last_heartbeat_is_stale(client):
    worker_heartbeat.delay()
    later = timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS + 1)

    with time_machine.travel(later):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["age_seconds"] > settings.WORKER_HEARTBEAT_STALE_SECONDS


def test_health_needs_no_sign_in_and_reveals_no_secrets(client):
    worker_heartbeat.delay()
    text = client.get(reverse("healthz")).content.decode()
    assert "password" not in text.lower()
    assert "@" not in text  # no broker or database URL with credentials


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }


@pytest.fixture
def broker_down(monkeypatch):
    connect = app.connection_for_write
    monkeypatch.setattr(app, "connection_for_write", lambda *a, **kw: connect(DEAD_REDIS))


def test_with_the_cache_down_it_answers_503_json_not_500(client, cache_down):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["ok"] is False
    assert body["cache"]["ok"] is False
    assert body["worker"]["ok"] is False  # its heartbeat is in the cache
    assert body["database"]["ok"] is True
    assert "@" not in response.content.decode()


def test_with_the_broker_down_it_answers_503_json_quickly(client, broker_down):
    worker_heartbeat.delay()

    started = time.monotonic()
    response = client.get(reverse("healthz"))
    took = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["broker"]["transport"] == settings.CELERY_BROKER_URL.split(":")[0]
    assert body["database"]["ok"] is True
    assert took < 5


def test_the_load_balancer_check_stays_up_when_the_cache_and_broker_are_down(
    client, cache_down, broker_down
):
    response = client.get(reverse("healthz-web"))

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert response["Cache-Control"].startswith("max-age=0")


def message(n: int, status: str, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind="test",
        to="rita@example.com",
        subject="s",
        body="b",
        dedupe_key=f"health:{n}",
        status=status,
        **fields,
    )


def test_the_outbox_backlog_is_shown(client):
    worker_heartbeat.delay()
    now = timezone.now()
    message(
        1,
        OutboxStatus.PENDING,
        created_at=now - timedelta(minutes=10),
        next_attempt_at=now + timedelta(minutes=5),
    )  # a retry, waiting its turn
    message(2, OutboxStatus.PENDING)
    message(3, OutboxStatus.SENDING, claimed_at=now)
    message(4, OutboxStatus.FAILED, last_error="550 no such user")
    message(5, OutboxStatus.SENT, sent_at=now)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200  # failed messages are for the admin, not an outage
    outbox = response.json()["outbox"]
    assert outbox["ok"] is True
    assert (outbox["pending"], outbox["sending"], outbox["failed"]) == (2, 1, 1)
    assert 595 <= outbox["oldest_pending_age_seconds"] <= 605


def test_messages_due_long_ago_and_still_unsent_make_it_unhealthy(client):
    worker_heartbeat.delay()
    due = timedelta(seconds=settings.OUTBOX_OVERDUE_ALERT_SECONDS + 60)
    message(1, OutboxStatus.PENDING, next_attempt_at=timezone.now() - due)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["outbox"]["ok"] is False
    assert response.json()["outbox"]["overdue_seconds"] >= due.total_seconds()
