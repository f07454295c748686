from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "apps.problems"
    label = "problems"
    verbose_name = "Problems and known errors"

    def ready(self):
        from . import events, registration  # noqa: F401  (events declare their kinds)

        registration.register()
