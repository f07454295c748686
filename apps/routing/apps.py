from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "apps.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self):
        from . import receivers  # noqa: F401  (evaluates rules on "created" events)
        from .registration import register_all

        register_all()
