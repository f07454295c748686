"""/healthz/: what a load balancer and an operator look at."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from apps.mail.tasks import HEARTBEAT_KEY, worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(HEARTBEAT_KEY)


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
