"""What production is configured to do (config/gunicorn.conf.py, config/settings/production.py),
read the way gunicorn and Django read them: from the environment.

The processes themselves are started for real by .ci/prod_smoke.py (`make prod` in CI)."""

import json
import logging
import multiprocessing
import runpy
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from apps.core.logs import AccessJsonFormatter

CONFIG = Path(django_settings.BASE_DIR) / "config"


def gunicorn_conf(monkeypatch, **env) -> dict:
    for name in ("PORT", "HOST", "WEB_CONCURRENCY", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG / "gunicorn.conf.py"))


def production_settings(monkeypatch, **env) -> dict:
    """A fresh read of the production settings (base's too, as a new process would)."""
    monkeypatch.delitem(sys.modules, "config.settings.base")
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-only-secret-key-not-for-any-real-desk-0123456789")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("config.settings.production")


def test_gunicorn_listens_on_port_and_sizes_itself_by_cores(monkeypatch):
    conf = gunicorn_conf(monkeypatch, PORT="9123")

    assert conf["bind"] == ["0.0.0.0:9123"]
    assert conf["workers"] == min(2 * multiprocessing.cpu_count() + 1, 12)
    assert conf["preload_app"] is True
    assert conf["accesslog"] == "-"


def test_gunicorn_takes_web_concurrency_and_host_when_given(monkeypatch):
    conf = gunicorn_conf(monkeypatch, PORT="8001", HOST="127.0.0.1", WEB_CONCURRENCY="3")

    assert conf["bind"] == ["127.0.0.1:8001"]
    assert conf["workers"] == 3


def test_gunicorn_access_log_is_json_unless_plain_is_asked(monkeypatch):
    json_conf = gunicorn_conf(monkeypatch)["logconfig_dict"]
    assert json_conf["formatters"]["access"]["()"] == "apps.core.logs.AccessJsonFormatter"
    plain = gunicorn_conf(monkeypatch, LOG_FORMAT="plain")["logconfig_dict"]
    assert "()" not in plain["formatters"]["access"]


def test_an_access_line_is_one_json_object_whatever_the_client_sent():
    atoms = {
        "h": "10.0.0.7",
        "m": "GET",
        "U": "/portal/",
        "q": "page=2",
        "s": "200",
        "B": "1834",
        "M": "41",
        "f": "-",
        "a": 'curl/8 "quoted"\n{"level": "CRITICAL"}',
        "{x-request-id}o": "lb-123",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(h)s", (atoms,), None)

    line = AccessJsonFormatter().format(record)

    assert "\n" not in line
    fields = json.loads(line)
    assert fields["request_id"] == "lb-123"
    assert (fields["status"], fields["bytes"], fields["duration_ms"]) == (200, 1834, 41)
    assert fields["user_agent"] == atoms["a"]
    assert fields["level"] == "INFO"
    assert "referer" not in fields  # gunicorn's "-" means none


def test_production_logs_json_and_serves_hashed_static_files(monkeypatch):
    configured = production_settings(monkeypatch)

    assert configured["DEBUG"] is False
    assert configured["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    assert configured["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert configured["SECURE_SSL_REDIRECT"] is True
    # Health checks come over plain HTTP from the balancer or the container runtime.
    assert configured["SECURE_REDIRECT_EXEMPT"] == [r"^healthz/", r"^metrics$"]
    plain = production_settings(monkeypatch, LOG_FORMAT="plain")
    assert plain["LOGGING"]["handlers"]["console"]["formatter"] == "plain"


@pytest.mark.parametrize(("name", "value"), [("LOG_FORMAT", "xml"), ("FILE_STORAGE", "ftp")])
def test_a_misspelt_choice_stops_the_desk_from_starting(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        production_settings(monkeypatch, **{name: value})
