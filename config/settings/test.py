"""Test settings: base, with fast hashing, in-memory mail, and tasks run inline.

Tests that need a real worker (marked ``worker``) start one against ``REDIS_URL``.
"""

import os

# Tests run with DEBUG off, as production does, so they bring their own key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-desk-0123456789")


def _redis_url_of_worker(url: str, worker: str) -> str:
    """REDIS_URL for one process of ``pytest -n``: the database after REDIS_URL's, one each.

    pytest-django gives each process a test database of its own; Redis needs the same, or one
    process's worker test would take another's tasks and one's flushed cache be another's."""
    base, _, number = url.rstrip("/").rpartition("/")
    if not number.isdigit():  # redis://host:port (database 0)
        base, number = url.rstrip("/"), "0"
    return f"{base}/{int(number) + int(worker.removeprefix('gw'))}"


if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw") and os.environ.get("REDIS_URL"):
    # In os.environ, so the workers and commands a test starts use the same database.
    os.environ["REDIS_URL"] = _redis_url_of_worker(
        os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

from .base import *  # noqa: E402, F403 (after the environment above is settled)
from .base import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-axes needs the request in authenticate(), which the test client's login() does not
# pass; tests of lockout switch it on (tests/accounts/test_lockout.py).
AXES_ENABLED = False
# A second alias like production's read replica: the same test database (MIRROR), so what a test
# writes is there to read. Reports stay on default unless a test routes them to it
# (tests/core/test_replica.py sets REPORTS_DATABASE = "replica").
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
