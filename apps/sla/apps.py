from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "apps.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self):
        from . import events, plugins, policies, receivers  # noqa: F401  (events declare kinds)

        plugins.register()
        receivers.register()
        policies.register()
