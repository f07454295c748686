"""Benchmark settings: production-like (DEBUG off), with mail kept in memory and tasks inline."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-desk-0123456789")

from .base import *  # noqa: F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
# As production keeps them (config/settings/production.py): measured per request, a new
# connection's cold catalogue caches cost more than most pages' queries.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
