"""Every request has an id: the caller's X-Request-ID when it is plain, else a new one. It is on
the response and on every log line written while the request is served (in JSON, as production
writes them), and on the lines of the tasks the request ran."""

import io
import json
import logging
import re

import pytest
from celery import shared_task
from django.test import Client

from apps.core import logs

NEW_ID = re.compile(r"[0-9a-f]{32}")
task_logger = logging.getLogger("tests.core.request_id")


@pytest.fixture
def log_lines():
    """What the configured console handler writes, in the production (JSON) format."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)
    handler.setFormatter(logs.JsonLogFormatter())

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    handler.setStream(previous)
    handler.setFormatter(formatter)


def not_found(client: Client, **headers):
    """A page that does not exist: Django logs a warning about it while serving the request."""
    return client.get("/no-such-page/", headers=headers)


def test_the_callers_id_comes_back_and_is_on_the_requests_log_line(db, log_lines):
    response = not_found(Client(), **{"X-Request-ID": "lb-7f3a9c01-2b"})

    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a9c01-2b"
    (line,) = [line for line in log_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == "lb-7f3a9c01-2b"
    assert line["level"] == "WARNING"
    assert "/no-such-page/" in line["message"]
    assert line["time"]


def test_without_an_id_each_request_gets_a_new_one(db, log_lines):
    first = not_found(Client())["X-Request-ID"]
    second = not_found(Client())["X-Request-ID"]

    assert NEW_ID.fullmatch(first)
    assert NEW_ID.fullmatch(second)
    assert first != second
    ids = [line["request_id"] for line in log_lines() if line["logger"] == "django.request"]
    assert ids == [first, second]


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 65,  # too long for a log line's id
        'abc", "level": "CRITICAL',  # breaking out of a JSON string
        "abc def",
        "<script>alert(1)</script>",
        "-leading-dash",
        "id\u00e9",
    ],
)
def test_a_hostile_id_is_replaced_everywhere(db, log_lines, hostile):
    response = not_found(Client(), **{"X-Request-ID": hostile})

    replaced = response["X-Request-ID"]
    assert NEW_ID.fullmatch(replaced)
    (line,) = [line for line in log_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == replaced
    assert hostile not in json.dumps(log_lines())


def test_lines_logged_after_the_request_carry_no_id_of_it(db, log_lines):
    not_found(Client(), **{"X-Request-ID": "finished-request"})
    logging.getLogger("tests.core.request_id").warning("between requests")

    line = log_lines()[-1]
    assert line["message"] == "between requests"
    assert "request_id" not in line


@shared_task
def log_from_a_task():
    task_logger.warning("working on it")


def test_a_task_run_for_a_request_logs_with_its_task_id_and_the_request_id(db, log_lines):
    token = logs.request_id.set("req-enqueued-it")  # as the middleware does for a request
    try:
        result = log_from_a_task.apply()
        after = logs.request_id.get()
    finally:
        logs.request_id.reset(token)

    (line,) = [line for line in log_lines() if line["message"] == "working on it"]
    assert line["task_id"] == result.id
    assert line["request_id"] == "req-enqueued-it"
    # The task's id does not outlive the task; the request's id is the request's again.
    assert logs.task_id.get() == ""
    assert after == "req-enqueued-it"
