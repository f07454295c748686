"""`manage.py seed_demo`: a desk with people in every role and a few hundred tickets.

It lives in core, above no app: it knows none of them by name, and asks each installed app in
turn. Each installed Switchboard app may have a ``demo`` module with ``configure(demo)`` (teams, rules,
policies, templates…) and ``populate(demo)`` (tickets, subtasks, articles…). Every app's configure
runs before any populate, in INSTALLED_APPS order, so tickets are opened through the services
with routing rules and SLA policies already in place. ``demo`` is a dict the apps share
(people by role, teams, lookups) and the logins to print.
"""

import importlib
import importlib.util
import logging
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from .desk_ready import LOGINS_FILE


@contextmanager
def _tasks_run_inline():
    """Tasks the seed queues run inline when it commits, so the worker starts with an empty
    queue. (The mail app's demo marks the notifications of the demo's past as already sent.)"""
    from config.celery import app

    trace_log = logging.getLogger("celery.app.trace")  # a line per task would be noise
    saved = app.conf.task_always_eager, app.conf.task_ignore_result, trace_log.level
    app.conf.task_always_eager = app.conf.task_ignore_result = True
    trace_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_ignore_result, level = saved
        trace_log.setLevel(level)


class Command(BaseCommand):
    help = "Load demo data for every role (logins are printed at the end)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Demo data already loaded; skipping (drop var/ to start over).")
            return
        modules = [self._demo_module(config.name) for config in apps.get_app_configs()]
        modules = [m for m in modules if m is not None]
        demo: dict = {"logins": [], "stdout": self.stdout}
        with _tasks_run_inline(), transaction.atomic():
            for step in ("configure", "populate"):
                for module in modules:
                    if hasattr(module, step):
                        getattr(module, step)(demo)
        self._print_logins(demo["logins"])

    @staticmethod
    def _demo_module(app_name: str):
        if not app_name.startswith("apps."):
            return None
        name = f"{app_name}.demo"
        return importlib.import_module(name) if importlib.util.find_spec(name) else None

    def _print_logins(self, logins):
        lines = [f"  {role:<24} {email:<36} {password}" for role, email, password in logins]
        self.stdout.write(self.style.SUCCESS("\nDemo logins (password in the last column):"))
        self.stdout.write("\n".join(lines))
        # `manage.py desk_ready` says them again once `make run` has started everything.
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        (settings.VAR_DIR / LOGINS_FILE).write_text(
            "Demo logins (password in the last column):\n" + "\n".join(lines) + "\n"
        )
