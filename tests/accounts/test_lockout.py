"""Guessing passwords: after five wrong ones for an address from one client, that pair is locked
out for a while — on the site, in the Django admin and at the API's token endpoint alike."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True  # off in test settings: the test client's login() lacks a request


def site_sign_in(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_five_wrong_passwords_lock_the_address_even_against_the_right_one(requester):
    client = Client()
    for _ in range(4):
        assert site_sign_in(client, requester.email, WRONG, **ATTACKER).status_code == 200
    assert site_sign_in(client, requester.email, WRONG, **ATTACKER).status_code == 429

    response = site_sign_in(client, requester.email, PASSWORD, **ATTACKER)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not is_signed_in(client)


def test_writing_the_address_differently_does_not_buy_more_guesses(requester):
    client = Client()
    for variant in (
        "rita@example.com",
        "RITA@example.com",
        "Rita@Example.com ",
        "rItA@eXample.com",
    ):
        site_sign_in(client, variant, WRONG, **ATTACKER)
    site_sign_in(client, "RITA@EXAMPLE.COM", WRONG, **ATTACKER)

    assert site_sign_in(client, requester.email, PASSWORD, **ATTACKER).status_code == 429


def test_a_forged_x_forwarded_for_does_not_buy_more_guesses(requester):
    client = Client()
    for n in range(5):
        site_sign_in(client, requester.email, WRONG, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **ATTACKER)

    response = site_sign_in(
        client, requester.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9", **ATTACKER
    )

    assert response.status_code == 429


def test_the_attacker_cannot_lock_the_owner_out_from_elsewhere(requester):
    attacker = Client()
    for _ in range(6):
        site_sign_in(attacker, requester.email, WRONG, **ATTACKER)

    owner = Client()
    response = site_sign_in(owner, requester.email, PASSWORD, REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 302
    assert is_signed_in(owner)


def test_the_admin_sign_in_locks_out_too(admin_user):
    client = Client()
    for _ in range(5):
        client.post(
            reverse("admin:login"), {"username": admin_user.email, "password": WRONG}, **ATTACKER
        )

    response = client.post(
        reverse("admin:login"), {"username": admin_user.email, "password": PASSWORD}, **ATTACKER
    )

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_api_token_endpoint_locks_out_and_says_so_in_json(requester):
    client = Client()
    url = "/api/v1/auth/token/"
    for _ in range(4):
        response = client.post(url, {"email": requester.email, "password": WRONG}, **ATTACKER)
        assert response.status_code == 400
    client.post(url, {"email": requester.email, "password": WRONG}, **ATTACKER)

    response = client.post(url, {"email": requester.email, "password": PASSWORD}, **ATTACKER)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert "token" not in response.json()


def test_a_good_sign_in_clears_the_count(requester):
    client = Client()
    for _ in range(4):
        site_sign_in(client, requester.email, WRONG, **ATTACKER)
    assert site_sign_in(client, requester.email, PASSWORD, **ATTACKER).status_code == 302
    client.logout()

    for _ in range(4):
        site_sign_in(client, requester.email, WRONG, **ATTACKER)

    assert site_sign_in(client, requester.email, PASSWORD, **ATTACKER).status_code == 302


def test_failures_are_recorded_by_address_and_client(requester):
    for _ in range(2):
        site_sign_in(Client(), "Rita@Example.com", WRONG, **ATTACKER)

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "rita@example.com",
        "203.0.113.7",
        2,
    )
