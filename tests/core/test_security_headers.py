"""Production's browser policies: a Content-Security-Policy our pages satisfy (no inline script
or style anywhere), a Permissions-Policy, and `check --deploy` clean."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as live_settings
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_headers(settings):
    from config.settings import production

    settings.MIDDLEWARE = production.MIDDLEWARE
    settings.CONTENT_SECURITY_POLICY = production.CONTENT_SECURITY_POLICY
    settings.PERMISSIONS_POLICY = production.PERMISSIONS_POLICY


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_a_permissions_policy(production_headers, requester):
    response = Client().get(reverse("accounts:login"))

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    policy = response["Permissions-Policy"]
    for feature in ("camera", "geolocation", "microphone", "payment"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_a_lockout_page_carries_them_too(production_headers, requester, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(6):
        response = client.post(
            reverse("accounts:login"), {"username": requester.email, "password": "wrong"}
        )
    assert response.status_code == 429
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_no_template_has_inline_script_or_style():
    """What the policy would refuse: inline <script> bodies, <style> blocks, style="…" and
    on…= handler attributes. (Scripts with src= and JSON data blocks are fine.)"""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"hx-on",
            r"javascript:",
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "desk.example.com",
    }
    env.pop("DEBUG", None)
    # Set by the browser tests' Playwright in this process; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_adds_the_policies_right_after_the_security_middleware():
    from config.settings import production

    security = production.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert production.MIDDLEWARE[security + 1 : security + 3] == [
        "csp.middleware.CSPMiddleware",
        "django_permissions_policy.PermissionsPolicyMiddleware",
    ]
    assert "csp.middleware.CSPMiddleware" not in live_settings.MIDDLEWARE  # tests: base
