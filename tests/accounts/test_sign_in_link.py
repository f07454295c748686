"""Signing in with a link from an e-mail: it works once, not when old, not when altered."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.services import sign_in_link_url

pytestmark = pytest.mark.django_db


def link_path(user) -> str:
    return sign_in_link_url(user=user).removeprefix(settings.SITE_URL)


def signed_in_user(client: Client):
    return client.get(reverse("home")).wsgi_request.user


def test_asking_for_a_link_mails_one_that_signs_in(
    client, requester, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:sign-in-link-request"), {"email": requester.email})
    assert response.status_code == 200
    [mail] = mailoutbox
    assert mail.to == [requester.email]
    path = re.search(r"https?://\S+(/accounts/sign-in/link/\S+/)", mail.body).group(1)

    response = client.post(path)

    assert response.status_code == 302
    assert signed_in_user(client) == requester


def test_asking_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:sign-in-link-request"), {"email": "nobody@example.com"}
        )
    assert response.status_code == 200
    assert b"nobody@example.com" in response.content
    assert mailoutbox == []


def test_a_link_signs_in_only_once(requester):
    path = link_path(requester)
    first, second = Client(), Client()

    assert first.post(path).status_code == 302
    assert signed_in_user(first) == requester

    response = second.post(path)
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not signed_in_user(second).is_authenticated


def test_opening_the_link_does_not_use_it_up(client, requester):
    """Mail scanners follow links with GET: only the button (a POST) signs in."""
    path = link_path(requester)

    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        assert not signed_in_user(client).is_authenticated

    assert client.post(path).status_code == 302
    assert signed_in_user(client) == requester


def test_an_expired_link_is_refused_with_a_reason(client, requester):
    path = link_path(requester)
    later = timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE + 60)

    with time_machine.travel(later, tick=False):
        response = client.post(path)

    assert response.status_code == 400
    assert "This sign-in link has expired. Ask for a new one." in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_an_altered_link_is_refused(client, requester, other_requester):
    token = link_path(requester).rstrip("/").rsplit("/", 1)[1]
    other_token = link_path(other_requester).rstrip("/").rsplit("/", 1)[1]
    # Someone swaps the signed payload for another person's, keeping the signature.
    tampered = other_token.split(":", 1)[0] + ":" + token.split(":", 1)[1]

    response = client.post(reverse("accounts:sign-in-link", args=[tampered]))

    assert response.status_code == 400
    assert "This sign-in link is not valid." in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_a_link_for_a_deactivated_account_does_not_sign_in(client, requester):
    path = link_path(requester)
    requester.is_active = False
    requester.save(update_fields=["is_active"])

    assert client.post(path).status_code == 400
    assert not signed_in_user(client).is_authenticated
