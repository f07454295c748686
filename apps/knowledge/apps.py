from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self):
        from . import events, panels, receivers  # noqa: F401  (events declare their kinds)

        panels.register()
        receivers.register()
