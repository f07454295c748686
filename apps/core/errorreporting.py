"""Optional error reporting to Sentry (or any server speaking its protocol, e.g. GlitchTip).

Off unless SENTRY_DSN is set. Settings call ``init`` once, so the web app, the Celery worker and
beat all report; nothing is sent about who the user is (``send_default_pii`` off: no cookies,
no addresses, no user ids), and the request bodies people type stay out too.
"""


def init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # Ticket text and replies are the requesters' words: never sent along with an error.
        max_request_body_size="never",
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
