"""API tokens end: API_TOKEN_MAX_AGE after they were issued, and at once when the password
changes — however it changes. The token endpoint's throttle cannot be dodged with a made-up
X-Forwarded-For."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.services import user_set_password
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


class QuickPBKDF2(PBKDF2PasswordHasher):
    iterations = 1


TOKEN_URL = "/api/v1/auth/token/"
SOME_API = "/api/v1/tickets/"


def token_for(user, password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"email": user.email, "password": password})
    assert response.status_code == 200
    return response.json()["token"]


def call_with(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(SOME_API)


def test_a_token_stops_working_after_its_max_age_and_a_new_one_is_issued(requester):
    token = token_for(requester)
    assert call_with(token).status_code == 200

    later = timedelta(seconds=settings.API_TOKEN_MAX_AGE + 60)
    with time_machine.travel(later):
        response = call_with(token)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]
        assert not Token.objects.filter(key=token).exists()

        fresh = token_for(requester)
        assert fresh != token
        assert call_with(fresh).status_code == 200


def test_an_expired_token_is_replaced_when_asked_for_again(requester):
    token = token_for(requester)
    with time_machine.travel(timedelta(seconds=settings.API_TOKEN_MAX_AGE + 60)):
        assert token_for(requester) != token


def test_max_age_zero_means_until_the_password_changes(requester, settings):
    settings.API_TOKEN_MAX_AGE = 0
    token = token_for(requester)
    with time_machine.travel(timedelta(days=3650)):
        assert call_with(token).status_code == 200


def test_a_password_reset_ends_the_token(requester):
    token = token_for(requester)

    user_set_password(user=requester, password="a-brand-new-passphrase")

    assert call_with(token).status_code == 401
    assert not Token.objects.filter(user=requester).exists()


@pytest.mark.parametrize("how", ["set_password", "admin_form"])
def test_any_password_change_ends_the_token(requester, how):
    """Paths that never call our service — the admin's form, a shell, `changepassword` — are
    caught by the model: tokens older than the change are refused and deleted on use."""
    token = token_for(requester)
    requester.refresh_from_db()

    if how == "set_password":
        requester.set_password("a-brand-new-passphrase")
        requester.save()
    else:
        form = AdminPasswordChangeForm(
            requester,
            {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
        )
        assert form.is_valid(), form.errors
        form.save()

    response = call_with(token)
    assert response.status_code == 401
    assert not Token.objects.filter(key=token).exists()
    assert call_with(token_for(requester, "a-brand-new-passphrase")).status_code == 200


def test_a_sign_in_that_upgrades_the_password_hash_does_not_end_tokens(requester, settings):
    token = token_for(requester)
    # A stronger hasher first: the next password check re-hashes and saves the password.
    settings.PASSWORD_HASHERS = [
        "tests.accounts.test_api_tokens.QuickPBKDF2",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    requester.refresh_from_db()
    assert requester.check_password(PASSWORD)
    requester.refresh_from_db()
    assert requester.password.startswith("pbkdf2_sha256$1$")

    assert call_with(token).status_code == 200


def test_a_made_up_x_forwarded_for_does_not_dodge_the_token_throttle(requester):
    """Before, DRF keyed the throttle on the whole X-Forwarded-For header: a new value per
    request was a new client. Now only REMOTE_ADDR counts (no trusted proxy)."""
    client = APIClient()
    codes = [
        client.post(
            TOKEN_URL,
            {"email": requester.email, "password": f"guess-{n}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [400] * 20
    assert codes[20] == 429


def test_behind_a_trusted_proxy_each_real_client_has_its_own_budget(requester, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()

    def ask(real_client, forged="10.0.0.1"):
        return client.post(
            TOKEN_URL,
            {"email": requester.email, "password": "guess"},
            # The client forged the first entry; our proxy appended the address it saw.
            HTTP_X_FORWARDED_FOR=f"{forged}, {real_client}",
            REMOTE_ADDR="192.0.2.1",  # the proxy
        ).status_code

    codes = [ask("203.0.113.5", forged=f"10.0.0.{n}") for n in range(21)]
    assert codes[20] == 429
    assert ask("203.0.113.6") == 400  # another client behind the same proxy is not throttled
