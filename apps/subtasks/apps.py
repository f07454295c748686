from django.apps import AppConfig


class SubtasksConfig(AppConfig):
    name = "apps.subtasks"
    label = "subtasks"
    verbose_name = "Subtasks"

    def ready(self):
        from . import extensions

        extensions.register()
