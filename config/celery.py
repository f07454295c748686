"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("switchboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _make_broker_folders(sender, **kwargs):
    # The file-system transport (no REDIS_URL) needs its folders before the first message.
    for folder in (sender.conf.broker_transport_options or {}).values():
        if isinstance(folder, str) and "/" in folder:
            os.makedirs(folder, exist_ok=True)
