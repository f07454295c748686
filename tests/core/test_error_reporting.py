"""Optional error reporting (apps.core.errorreporting): on only with SENTRY_DSN, never sending
who the user is. Each case loads the settings in a process of its own, as the web app, the
worker or beat would; nothing is sent (no error happens, so no event leaves)."""

import json
import os
import subprocess
import sys

from django.conf import settings as django_settings

PROBE = """
import json, django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "active": client.is_active(),
    "pii": options.get("send_default_pii"),
    "environment": options.get("environment"),
    "release": options.get("release"),
    "integrations": sorted(getattr(client, "integrations", {}) or {}),
}))
"""


def _load_settings(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=django_settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_without_a_dsn_nothing_is_reported():
    assert _load_settings()["active"] is False


def test_with_a_dsn_django_and_celery_errors_are_reported_without_personal_data():
    loaded = _load_settings(
        SENTRY_DSN="http://public-key@127.0.0.1:9/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="switchboard@1.4.2",
    )

    assert loaded["active"] is True
    assert loaded["pii"] is False
    assert (loaded["environment"], loaded["release"]) == ("staging", "switchboard@1.4.2")
    assert {"django", "celery"} <= set(loaded["integrations"])
