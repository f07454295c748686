"""`make run` ends with where the desk is and who to sign in as, once web, worker and broker
answer; if they do not in time, it says so instead of claiming the desk is ready."""

import io
import os
import signal
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from apps.core.tasks import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    (tmp_path / "demo-logins.txt").write_text("Demo logins:\n  Agent  agent1@example.com  x\n")
    return tmp_path


def _desk_ready(url: str, timeout: float) -> str:
    out = io.StringIO()
    call_command("desk_ready", url=url, timeout=timeout, once=True, stdout=out)
    return out.getvalue()


def test_once_everything_answers_it_names_the_url_and_the_logins(live_server, var_dir):
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), 300)
    said = _desk_ready(live_server.url, timeout=20)
    assert f"Switchboard is ready: {live_server.url}/" in said
    assert "agent1@example.com" in said
    assert said.rstrip().endswith("Ctrl-C stops the web app, the worker and beat.")


def test_without_a_worker_it_says_the_desk_is_not_fully_up(live_server, var_dir):
    cache.delete(HEARTBEAT_KEY)
    said = _desk_ready(live_server.url, timeout=1)
    assert "ready:" not in said
    assert f"not fully: {live_server.url}/healthz/" in said


def test_ctrl_c_while_it_waits_ends_it_quietly(tmp_path):
    """`make run` stopped before the desk answered: no traceback, exit status 0."""
    # A web app that takes the connection and never answers: desk_ready waits on it.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        waiting = subprocess.Popen(
            [sys.executable, "manage.py", "desk_ready", "--url", url, "--timeout", "60"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        server.settimeout(60)
        connection, _ = server.accept()  # it is asking /healthz/ now
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=30)
        connection.close()
    assert waiting.returncode == 0
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err + out
