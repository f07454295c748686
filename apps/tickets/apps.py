from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "apps.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self):
        from . import actions

        actions.register_builtin_actions()

        from .tiers import admin, events, receivers, registry  # noqa: F401  (register on import)

        receivers.register()
        registry.register()
