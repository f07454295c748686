from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "apps.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self):
        from . import panels, receivers  # noqa: F401  (connects to ticket events)

        panels.register()
