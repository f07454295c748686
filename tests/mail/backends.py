"""An e-mail backend whose SMTP server is down: for the tests of failed sends."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("connection refused by smtp.example.com:587")
