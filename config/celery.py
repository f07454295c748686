"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app."""

import os

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    worker_ready,
)

from apps.core import logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("switchboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _make_file_folders(sender, **kwargs):
    """The file-system broker and result backend (no REDIS_URL) need their folders to exist.

    Read from Django settings: ``sender.conf`` is not built yet while on_configure runs.
    """
    from django.conf import settings

    folders = [
        folder
        for folder in getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).values()
        if isinstance(folder, str) and "/" in folder
    ]
    backend = getattr(settings, "CELERY_RESULT_BACKEND", "") or ""
    if backend.startswith("file://"):
        folders.append(backend.removeprefix("file://"))
    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE_FILENAME", "")
    if schedule:
        folders.append(os.path.dirname(schedule))
    for folder in folders:
        os.makedirs(folder, exist_ok=True)


@setup_logging.connect
def _log_as_the_web_app_does(**kwargs):
    """Worker and beat log through Django's LOGGING (LOG_FORMAT, request and task ids), not
    Celery's own format: with a receiver here Celery leaves logging alone."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    """A task enqueued while a request is served carries that request's id to the worker."""
    current = logs.request_id.get()
    if current and headers is not None:
        headers.setdefault(logs.TASK_HEADER, current)


# Tokens to restore the ids a task replaced: a task run inline (eager) shares the request's
# context, which must be the request's again afterwards.
_task_context: dict[str, tuple] = {}


@task_prerun.connect
def _task_ids_on_log_records(task_id=None, task=None, **kwargs):
    enqueued_by = getattr(task.request, logs.TASK_HEADER, None) if task else None
    _task_context[task_id] = (
        logs.task_id.set(task_id or ""),
        logs.request_id.set(enqueued_by) if enqueued_by else None,
    )


@task_postrun.connect
def _task_ids_off(task_id=None, **kwargs):
    tokens = _task_context.pop(task_id, None)
    if tokens is None:
        return
    task_token, request_token = tokens
    logs.task_id.reset(task_token)
    if request_token is not None:
        logs.request_id.reset(request_token)


# Prometheus (apps.core.metrics): tasks run, how they ended and how long they took, per name.
# A task that fails runs postrun too (state FAILURE) — except inline with eager propagation,
# where the exception reaches the caller and neither postrun nor failure is sent.
@task_prerun.connect
def _task_timer_on(task_id=None, **kwargs):
    metrics.task_started(task_id=task_id)


@task_postrun.connect
def _task_timer_off(task_id=None, task=None, state=None, **kwargs):
    metrics.task_finished(task_id=task_id, task_name=getattr(task, "name", "unknown"), state=state)


@task_failure.connect
def _task_failed(sender=None, exception=None, **kwargs):
    metrics.task_failed(task_name=getattr(sender, "name", "unknown"), exception=exception)


@worker_ready.connect
def _first_heartbeat(sender, **kwargs):
    """Beat's first heartbeat comes 30 s after it starts: say we're alive now, so /healthz/
    turns green as soon as the worker is up."""
    from apps.core.tasks import worker_heartbeat

    worker_heartbeat()
