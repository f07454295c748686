from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self):
        from apps.tickets import extensions

        from . import receivers
        from .views import panel_context

        receivers.register()
        extensions.ticket_panel(
            extensions.Panel(
                name="mail",
                template="mail/panel.html",
                context=panel_context,
                audience="agent",
                order=80,
            )
        )
