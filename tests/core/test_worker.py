"""A real worker process killed by SIGKILL in the middle of a send: after a restart the message
goes out exactly once.

The worker runs as ``celery -A config worker`` on the Redis in REDIS_URL and the test database,
sending over SMTP to a server that hangs after the message, as a slow server does. The worker
has claimed the row and is waiting for the answer when it is killed; the server, recovering,
finds its client gone and delivers nothing. A new worker and the beat sweep (its stale-claim
timeout made short here) then send it, once.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections

from apps.accounts.services import sign_in_link_send
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.outbox import outbox_sweep
from config.celery import app

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/0); .ci/run does",
    ),
]


def wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """``celery worker`` in a process of its own (solo pool: the process that sends is the one
    we kill), on the test database and the given SMTP port."""

    def __init__(self, name: str, *, smtp_port: int, log: Path):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "60",  # the server hangs longer than the test waits
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        env.pop("EMAIL_BACKEND", None)
        self.log = log
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker"),
                *("--pool", "solo", "--loglevel", "INFO", "--hostname", f"{name}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def real_workers(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share: PostgreSQL")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish through the real broker
    app.control.purge()
    started: list[WorkerProcess] = []

    def start(name: str, smtp_port: int) -> WorkerProcess:
        worker = WorkerProcess(name, smtp_port=smtp_port, log=tmp_path / f"{name}.log")
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill(signal.SIGTERM)
        app.control.purge()
        app.conf.task_always_eager = eager
        connections.close_all()


def test_a_worker_killed_after_claiming_leaves_the_message_to_be_sent_once_after_restart(
    real_workers, smtp_sink, settings, requester
):
    settings.OUTBOX_STALE_CLAIM_SECONDS = 3
    settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 0
    smtp_sink.hang_after_data()
    first = real_workers("outbox-first", smtp_sink.port)

    sign_in_link_send(email=requester.email)  # committed: its task is on Redis
    message = OutboxMessage.objects.get(kind="sign_in_link")

    def claimed_and_hanging() -> bool:
        message.refresh_from_db()
        return message.status == OutboxStatus.SENDING and smtp_sink.hanging.is_set()

    wait_for(claimed_and_hanging, f"the worker to claim and send (log: {first.log})")
    first.kill()  # SIGKILL: no cleanup, no ack, the claim stays
    smtp_sink.recover()
    time.sleep(0.5)  # the hung session notices its client is gone

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING
    assert message.attempts == 1
    assert smtp_sink.delivered == []

    second = real_workers("outbox-second", smtp_sink.port)
    time.sleep(settings.OUTBOX_STALE_CLAIM_SECONDS + 0.5)
    assert outbox_sweep()["reclaimed"] == 1  # beat's sweep: the claim is stale, publish again

    def sent() -> bool:
        message.refresh_from_db()
        return message.status == OutboxStatus.SENT

    wait_for(sent, f"the restarted worker to send (log: {second.log})")
    time.sleep(1)  # nothing else arrives late
    assert smtp_sink.count(requester.email) == 1
    assert "sign-in" in smtp_sink.messages_to(requester.email)[0].get_payload()
    message.refresh_from_db()
    assert message.attempts == 2
