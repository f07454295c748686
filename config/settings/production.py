"""Production settings: everything from base, plus the hardening `check --deploy` asks for."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers, container health checks and Prometheus ask over plain HTTP from inside:
# answer them there.
SECURE_REDIRECT_EXEMPT = [r"^healthz/", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) and Permissions-Policy (django-permissions-policy).
# Every script and stylesheet is a static file of ours (htmx included, its indicator styles
# live in app.css); no template has an inline script, style block or style attribute, and the
# API docs use drf-spectacular's split Swagger view (its script is a file too).
# Right after SecurityMiddleware: outside the rest, so every answer carries them (the 429 page
# of a lockout too).
_SECURITY = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")  # noqa: F405
MIDDLEWARE = [
    *MIDDLEWARE[: _SECURITY + 1],  # noqa: F405
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    *MIDDLEWARE[_SECURITY + 1 :],  # noqa: F405
]
CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY_STRICT  # noqa: F405
PERMISSIONS_POLICY = PERMISSIONS_POLICY_NONE  # noqa: F405

# Static files under content-hashed names (collectstatic writes them and a manifest), which
# WhiteNoise serves compressed and cacheable for ten years, so a new release is never mixed
# with a browser's stale copy. Needs `manage.py collectstatic` before the web app starts.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per log line, for the log store (LOG_FORMAT=plain for people reading a terminal).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

# Connections are kept between requests (health-checked before reuse): a fresh one per request
# paid its start and, worse, cold catalogue caches, so planning a page's first queries on the
# tickets table (two dozen indexes) took 10-15 ms on every request. Behind PgBouncer in
# transaction mode set CONN_MAX_AGE=0 (README, Running in production).
for _alias in DATABASES:  # noqa: F405
    DATABASES[_alias]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
