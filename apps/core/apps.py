from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app may use: the outbox, task publishing, health, the worker heartbeat."""

    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import checks  # noqa: F401  (registers the outbox's time-limit checks)
