from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self):
        from . import events, plugins, receivers  # noqa: F401  (events declare their kinds)

        plugins.register()
        receivers.register()
