from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self):
        from . import plugins, receivers  # noqa: F401

        plugins.register()
