"""/metrics: Prometheus reads what the desk does and what waits, and nobody else reads it."""

import os
import runpy
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from apps.core import metrics
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.tasks import worker_heartbeat
from apps.sla.tasks import clock_warn_task, sla_sweep_task
from apps.tickets.models import Channel
from apps.tickets.services import ticket_create

from ..conftest import signed_in

TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client | None = None, **headers):
    return (client or Client()).get("/metrics", headers=headers)


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, its labels): value} of an exposition."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(name: str, **labels) -> float:
    """A sample's value as Prometheus would read it now (0 when absent)."""
    response = scrape(Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return samples(response.content.decode()).get((name, frozenset(labels.items())), 0.0)


# --- Who may read it ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_configured_token_the_endpoint_does_not_exist(settings):
    settings.METRICS_TOKEN = ""

    assert scrape().status_code == 404
    assert scrape(Authorization="Bearer ").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Token {TOKEN}", f"Bearer {TOKEN}x", TOKEN, "Bearer"],
)
def test_a_missing_or_wrong_token_is_refused(token, authorization):
    response = scrape(**({"Authorization": authorization} if authorization else {}))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"switchboard_" not in response.content


@pytest.mark.django_db
def test_signed_in_staff_still_need_the_token(token, admin_user):
    assert scrape(signed_in(admin_user)).status_code == 401


@pytest.mark.django_db
def test_with_the_token_it_serves_the_text_format(token):
    response = scrape(Authorization=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {
        "switchboard_http_request_duration_seconds",
        "switchboard_outbox_messages",
        "switchboard_outbox_oldest_pending_age_seconds",
    } <= names


# --- Requests -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_latency_is_labelled_by_url_name_not_path(token, requester):
    ticket = ticket_create(requester=requester, subject="Till 4 is dead", description="No power.")
    client = signed_in(requester)
    count = "switchboard_http_request_duration_seconds_count"
    before = value(count, view="portal:ticket", method="GET", status="2xx")

    assert client.get(f"/portal/tickets/{ticket.reference}/").status_code == 200
    assert client.get(f"/portal/tickets/{ticket.reference}/").status_code == 200
    Client().get("/no/such/page/")

    text = scrape(Authorization=f"Bearer {TOKEN}").content.decode()
    assert value(count, view="portal:ticket", method="GET", status="2xx") == before + 2
    assert ticket.reference not in text  # one series per view, never per ticket
    assert 'view="unmatched"' in text
    assert "/no/such/page/" not in text


# --- Celery tasks -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_run_counts_with_its_duration(token):
    name = "apps.core.tasks.worker_heartbeat"
    runs = value("switchboard_celery_tasks_total", task=name, state="success")
    timed = value("switchboard_celery_task_duration_seconds_count", task=name)

    worker_heartbeat.delay()  # eager in tests: run here, through Celery's signals

    assert value("switchboard_celery_tasks_total", task=name, state="success") == runs + 1
    assert value("switchboard_celery_task_duration_seconds_count", task=name) == timed + 1


@pytest.mark.django_db
def test_a_failing_task_counts_as_a_failure_with_its_exception(token):
    name = "apps.sla.tasks.clock_warn_task"
    failures = value("switchboard_celery_tasks_total", task=name, state="failure")

    result = clock_warn_task.apply(args=["not a clock"], throw=False)  # as a worker runs it

    assert result.failed()
    assert value("switchboard_celery_tasks_total", task=name, state="failure") == failures + 1
    exception = type(result.result).__name__
    assert value("switchboard_celery_task_failures_total", task=name, exception=exception) >= 1


# --- Read when scraped --------------------------------------------------------------------------


def _message(n: int, status: str, age: timedelta) -> OutboxMessage:
    moment = timezone.now() - age
    return OutboxMessage.objects.create(
        kind="notified",
        to=f"person{n}@example.com",
        subject="Hello",
        body="Hi",
        dedupe_key=f"metrics-test-{n}",
        status=status,
        created_at=moment,
        next_attempt_at=moment,
    )


@pytest.mark.django_db
def test_outbox_gauges_equal_the_outbox_rows(token):
    assert value("switchboard_outbox_messages", state="pending") == 0
    _message(1, OutboxStatus.PENDING, timedelta(minutes=10))
    _message(2, OutboxStatus.PENDING, timedelta(minutes=1))
    _message(3, OutboxStatus.FAILED, timedelta(hours=2))
    _message(4, OutboxStatus.SENT, timedelta(hours=3))
    _message(5, OutboxStatus.SENDING, timedelta(seconds=5))

    assert value("switchboard_outbox_messages", state="pending") == 2
    assert value("switchboard_outbox_messages", state="sending") == 1
    assert value("switchboard_outbox_messages", state="failed") == 1
    assert 595 <= value("switchboard_outbox_oldest_pending_age_seconds") <= 660
    assert 595 <= value("switchboard_outbox_overdue_seconds") <= 660


@pytest.mark.django_db
def test_sla_sweep_lag_grows_while_no_sweep_runs(token):
    lag = "switchboard_periodic_lag_seconds"
    assert "sla-sweep" not in scrape(Authorization=f"Bearer {TOKEN}").content.decode()

    with time_machine.travel(timezone.now(), tick=False) as clock:
        sla_sweep_task.delay()
        assert value(lag, job="sla-sweep") == 0
        clock.shift(timedelta(seconds=45))
        assert value(lag, job="sla-sweep") == 0  # within its minute
        clock.shift(timedelta(minutes=5))
        assert value(lag, job="sla-sweep") == pytest.approx(45 + 300 - 60)
        sla_sweep_task.delay()
        assert value(lag, job="sla-sweep") == 0


@pytest.mark.django_db
def test_tickets_created_count_once_committed(token, requester, django_capture_on_commit_callbacks):
    name = "switchboard_tickets_created_total"
    before = value(name, channel=Channel.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(requester=requester, subject="A", description="B", channel=Channel.EMAIL)
    assert value(name, channel=Channel.EMAIL) == before + 1

    def open_then_roll_back():
        with transaction.atomic():
            ticket_create(requester=requester, subject="C", description="D", channel=Channel.EMAIL)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        open_then_roll_back()
    assert value(name, channel=Channel.EMAIL) == before + 1


# --- Several processes --------------------------------------------------------------------------

COUNT_ONE = (
    "from apps.core import metrics; metrics.ticket_created(channel='api'); "
    "metrics.REQUEST_SECONDS.labels(view='home', method='GET', status='2xx').observe(0.2)"
)


def _child(folder) -> int:
    """A process that counts one ticket and one request into ``folder``; its pid."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    child = subprocess.run(
        [sys.executable, "-c", COUNT_ONE + "; import os; print(os.getpid())"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(child.stdout.strip())


@pytest.mark.django_db
def test_with_a_multiprocess_folder_a_scrape_adds_up_every_process(tmp_path, monkeypatch):
    _child(tmp_path)
    _child(tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    figures = samples(metrics.scrape().decode())

    assert figures[("switchboard_tickets_created_total", frozenset({("channel", "api")}))] == 2
    request = frozenset({("view", "home"), ("method", "GET"), ("status", "2xx")})
    assert figures[("switchboard_http_request_duration_seconds_count", request)] == 2
    assert figures[("switchboard_outbox_messages", frozenset({("state", "pending")}))] == 0


def test_gunicorn_keeps_the_files_of_living_processes_only(tmp_path, monkeypatch):
    dead = _child(tmp_path)
    alive = os.getpid()
    (tmp_path / f"counter_{alive}.db").write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = runpy.run_path(str(django_settings.BASE_DIR / "config" / "gunicorn.conf.py"))

    conf["on_starting"](server=None)

    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{alive}.db"]
    assert dead != alive
