from django.apps import AppConfig


class SubtasksConfig(AppConfig):
    name = "apps.subtasks"
    label = "subtasks"
    verbose_name = "Subtasks"

    def ready(self):
        from . import events, extensions  # noqa: F401  (events declare their kinds)

        extensions.register()
