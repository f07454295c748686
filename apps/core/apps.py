from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app may use: the outbox, task publishing, health, the worker heartbeat."""

    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished

        from . import checks  # noqa: F401  (registers the outbox's time-limit checks)
        from .logs import clear_request_id

        _admin_char_fields_single_line()
        request_finished.connect(clear_request_id, dispatch_uid="core.logs.clear_request_id")


def _admin_char_fields_single_line() -> None:
    """Every CharField the admin edits (team, category, rule, policy names, …) refuses line
    breaks and control characters, as the services refuse them in subjects and titles: such a
    name ends up in e-mail headers and one-line displays. The admin builds its form fields from
    these defaults (each ModelAdmin and inline copies them), so one entry covers all of them,
    including admins added later; multi-line text is a TextField, which is left alone."""
    from django.contrib.admin import options
    from django.db import models

    from .text import validate_single_line

    defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.CharField, {})
    validators = defaults.setdefault("validators", [])
    if validate_single_line not in validators:
        validators.append(validate_single_line)
