"""Fixtures of the outbox tests: a real SMTP server, and settings that send to it."""

import pytest

from .smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(settings):
    """Every e-mail goes over SMTP to a local server the test controls."""
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield sink
    sink.stop()
