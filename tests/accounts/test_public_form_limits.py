"""Forms anyone can post that make us send e-mail — a sign-in link, a password reset, a task
link's re-send — are limited per inbox and per client address; a made-up X-Forwarded-For does
not make a new client."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

FORMS = ["accounts:sign-in-link-request", "accounts:password-reset"]


def post(url_name, email, **extra):
    return Client().post(reverse(url_name), {"email": email}, **extra)


@pytest.mark.parametrize(
    ("url_name", "mails"),
    # Reset links asked for within the same second are the same link: one message.
    [("accounts:sign-in-link-request", 5), ("accounts:password-reset", 1)],
)
def test_one_inbox_gets_five_an_hour_however_the_address_is_written(
    url_name, mails, requester, mailoutbox, django_capture_on_commit_callbacks
):
    variants = ["rita@example.com", "RITA@example.com", " Rita@Example.com", "rita@EXAMPLE.com"]
    # The clock stands still: on a busy machine the requests could straddle a second, and two
    # seconds make two different reset links.
    with (
        time_machine.travel("2026-03-02 10:00:00 +0000", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        codes = [
            post(url_name, variants[n % 4], REMOTE_ADDR=f"198.51.100.{n}").status_code
            for n in range(6)
        ]

    assert 429 not in codes[:5]
    assert codes[5] == 429
    assert len(mailoutbox) == mails


def test_the_inbox_budget_is_shared_by_both_forms(requester):
    for n in range(5):
        form = FORMS[n % 2]
        assert post(form, requester.email, REMOTE_ADDR=f"198.51.100.{n}").status_code != 429
    assert post(FORMS[1], requester.email, REMOTE_ADDR="198.51.100.99").status_code == 429


def test_one_client_gets_thirty_an_hour_across_addresses_and_forged_headers(db):
    codes = [
        post(
            FORMS[n % 2],
            f"person{n}@example.com",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1",
        ).status_code
        for n in range(31)
    ]
    assert 429 not in codes[:30]
    assert codes[30] == 429
    page = post(FORMS[0], "someone@example.com", REMOTE_ADDR="203.0.113.7")
    assert page.status_code == 429
    assert "Too many requests" in page.content.decode()
    assert int(page["Retry-After"]) > 0
    # Another client is not affected.
    assert post(FORMS[0], "someone@example.com", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_behind_trusted_proxies_the_client_is_the_address_they_saw(db, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    through_proxies = {"REMOTE_ADDR": "10.1.1.2"}  # the inner proxy

    def ask(n, client_ip):
        return post(
            FORMS[0],
            f"person{n}@example.com",
            # client-written junk, the client as the outer proxy saw it, the outer proxy
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {client_ip}, 10.1.1.1",
            **through_proxies,
        ).status_code

    codes = [ask(n, "203.0.113.7") for n in range(31)]
    assert codes[30] == 429
    assert ask(99, "203.0.113.8") == 200


def test_a_task_links_re_send_is_limited_per_client(db):
    url = reverse("subtasks:link-renew", args=["forged:token"])
    codes = [Client().post(url, REMOTE_ADDR="203.0.113.7").status_code for _ in range(31)]
    assert 429 not in codes[:30]
    assert codes[30] == 429
