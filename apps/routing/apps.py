from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "apps.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self):
        from . import events, receivers  # noqa: F401  (events declare their kinds on import)
        from .registration import register_all

        receivers.register()
        register_all()
