"""Log lines that can be followed across processes: a request id on every record, JSON in
production (LOG_FORMAT=json).

A request's id is the caller's (or its proxy's) ``X-Request-ID`` when that is short and plain,
else one made here. It goes back on the response, onto every record logged while the request
is served, and into the headers of the Celery tasks the request enqueues, so the worker's
records of those tasks carry it beside their own task id (config.celery connects the signals).

Nothing here imports Django models: gunicorn's master loads this module for its access log
before any app is ready.
"""

import contextvars
import logging
import re
import uuid

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a task's message carries the enqueuing request's id in.
TASK_HEADER = "x_request_id"
# A caller's id is kept only if it is short and made of characters that cannot break a log
# line, a header or a query in the log store; anything else is replaced, never cleaned up.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")


def request_id_from(header: str | None) -> str:
    """The caller's id if it is safe to repeat, else a new one."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every answer (a redirect to HTTPS, a 400 for a bad host too)
    carries the id. The id stays set until Django's request_finished, so the 4xx/5xx line
    Django logs after the middleware returns has it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        current = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = current
        request_id.set(current)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = current
        return response


def clear_request_id(**kwargs) -> None:
    """Connected to Django's request_finished: the thread's next log lines are not this
    request's (a gunicorn thread serves many)."""
    request_id.set("")


class ContextFilter(logging.Filter):
    """Puts the current request id and task id on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        if not getattr(record, "task_id", ""):
            record.task_id = task_id.get()
        return True


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request and
    task ids when there are any, anything passed in ``extra=``, and the traceback."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict) -> dict:
        for key in ("request_id", "task_id"):
            if not log_data.get(key):
                log_data.pop(key, None)
        return log_data


# gunicorn's access-log atoms, by the names our JSON lines give them.
ACCESS_FIELDS = {
    "remote": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "referer": "f",
    "user_agent": "a",
    "request_id": "{x-request-id}o",
}


class AccessJsonFormatter(JsonLogFormatter):
    """gunicorn's access log as JSON (config/gunicorn.conf.py): the atoms gunicorn passes as
    the record's arguments become fields; the request id is the one on the response."""

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        log_data["message"] = f"{atoms.get('m', '-')} {atoms.get('U', '-')} {atoms.get('s', '-')}"
        for field, atom in ACCESS_FIELDS.items():
            value = atoms.get(atom, "-")
            if value in ("-", "", None):
                continue
            if field in ("status", "bytes", "duration_ms"):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    continue
            log_data[field] = value
