"""Test settings: base, with fast hashing, in-memory mail, and tasks run inline.

Tests that need a real worker (marked ``worker``) start one against ``REDIS_URL``.
"""

import os

# Tests run with DEBUG off, as production does, so they bring their own key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-desk-0123456789")

from .base import *  # noqa: F403
from .base import VAR_DIR

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
