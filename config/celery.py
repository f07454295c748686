"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app."""

import os

from celery import Celery
from celery.signals import worker_ready

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
    for folder in folders:
        os.makedirs(folder, exist_ok=True)


@worker_ready.connect
def _first_heartbeat(sender, **kwargs):
    """Beat's first heartbeat comes 30 s after it starts: say we're alive now, so /healthz/
    turns green as soon as the worker is up."""
    from apps.core.tasks import worker_heartbeat

    worker_heartbeat()
