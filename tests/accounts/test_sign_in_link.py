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


# --- who may sign in by e-mail


def test_superusers_get_no_link_by_default(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:sign-in-link-request"), {"email": admin_user.email}
        )

    assert response.status_code == 200  # says the same as for anyone: nothing to learn here
    assert mailoutbox == []


def test_a_link_made_for_a_superuser_does_not_sign_in(client, admin_user):
    path = link_path(admin_user)

    response = client.post(path)

    assert response.status_code == 400
    assert "turned off for this account" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_superuser_links_can_be_switched_on(client, admin_user, settings):
    settings.EMAIL_SIGN_IN_FOR_SUPERUSERS = True

    assert client.post(link_path(admin_user)).status_code == 302
    assert signed_in_user(client) == admin_user


def test_staff_links_can_be_switched_off(client, requester, settings, mailoutbox):
    requester.is_staff = True
    requester.save(update_fields=["is_staff"])
    path = link_path(requester)
    settings.EMAIL_SIGN_IN_FOR_STAFF = False

    client.post(reverse("accounts:sign-in-link-request"), {"email": requester.email})
    assert client.post(path).status_code == 400
    assert not signed_in_user(client).is_authenticated
    assert mailoutbox == []


# --- one link, one session, even used twice at once


def sessions_of(user) -> int:
    from django.contrib.sessions.models import Session

    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_link_used_twice_at_the_same_moment_signs_in_once(requester, monkeypatch):
    """Both requests check the link before either signs in (a barrier holds them together
    right after the signature is read): only one claims it."""
    import threading

    from django.db import connection

    from apps.core import signing

    path = link_path(requester)
    barrier = threading.Barrier(2, timeout=5)
    read_token, waited = signing.read_token, set()

    def read_then_wait(*args, **kwargs):
        payload = read_token(*args, **kwargs)
        me = threading.get_ident()
        if me not in waited:  # each request's first read: the view's own check
            waited.add(me)
            barrier.wait()
        return payload

    monkeypatch.setattr(signing, "read_token", read_then_wait)
    results = {}

    def use(name):
        try:
            results[name] = Client().post(path).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=use, args=(n,)) for n in ("phone", "laptop")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(results.values()) == [302, 400]
    assert sessions_of(requester) == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_use_waiting_on_an_uncommitted_claim_finds_the_link_used(requester):
    import threading
    import time

    from django.db import connection, transaction

    from apps.accounts.services import sign_in_link_claim

    path = link_path(requester)
    token = path.rstrip("/").rsplit("/", 1)[1]
    claimed = threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = sign_in_link_claim(token=token)
                claimed.set()
                time.sleep(0.5)  # still uncommitted while the second arrives
        finally:
            connection.close()

    def second():
        claimed.wait(5)
        try:
            results["second"] = Client().post(path).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["first"] == requester
    assert results["second"] == 400
    assert sessions_of(requester) == 0  # the first never logged in; the second was refused
