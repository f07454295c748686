"""Forgot your password: a reset link by e-mail (through the outbox), a new password, and the
old sessions, tokens and failed-sign-in counts are gone."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.core.models import OutboxMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-passphrase"


def ask_for_reset(client, email, callbacks, **extra):
    with callbacks(execute=True):
        return client.post(reverse("accounts:password-reset"), {"email": email}, **extra)


def reset_path(mail) -> str:
    return re.search(r"https?://\S+(/accounts/password/reset/\S+/\S+/)", mail.body).group(1)


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password-reset") in page


def test_a_reset_link_arrives_through_the_outbox_and_sets_a_new_password(
    client, requester, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://desk.example.com"
    response = ask_for_reset(
        client, "RITA@example.com", django_capture_on_commit_callbacks, HTTP_HOST="localhost"
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")

    [message] = OutboxMessage.objects.filter(kind="password_reset")
    assert message.to == requester.email
    [mail] = mailoutbox
    assert mail.subject == "Reset your Switchboard password"
    assert "https://desk.example.com/accounts/password/reset/" in mail.body  # not the Host
    assert "localhost" not in mail.body

    form_page = client.get(reset_path(mail), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302

    requester.refresh_from_db()
    assert requester.check_password(NEW)
    assert Client().login(username=requester.email, password=NEW)
    assert client.get(reset_path(mail), follow=True).context["validlink"] is False  # once


def test_a_reset_ends_sessions_and_api_tokens_and_clears_lockout(
    requester, mailoutbox, django_capture_on_commit_callbacks, settings
):
    signed_in = Client()
    signed_in.force_login(requester)
    Token.objects.create(user=requester)
    settings.AXES_ENABLED = True
    for _ in range(5):
        Client().post(reverse("accounts:login"), {"username": requester.email, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=requester.email).exists()

    client = Client()
    ask_for_reset(client, requester.email, django_capture_on_commit_callbacks)
    form_page = client.get(reset_path(mailoutbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert not Token.objects.filter(user=requester).exists()
    assert not AccessAttempt.objects.filter(username=requester.email).exists()
    assert not signed_in.get(reverse("home")).wsgi_request.user.is_authenticated
    response = Client().post(
        reverse("accounts:login"), {"username": requester.email, "password": NEW}
    )
    assert response.status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask_for_reset(client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert mailoutbox == []


def test_superusers_get_no_reset_mail_by_default(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks, settings
):
    response = ask_for_reset(client, admin_user.email, django_capture_on_commit_callbacks)
    assert response.url == reverse("accounts:password-reset-done")
    assert mailoutbox == []

    settings.EMAIL_SIGN_IN_FOR_SUPERUSERS = True
    ask_for_reset(client, admin_user.email, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[admin_user.email]]


def test_the_old_password_still_works_until_the_link_is_used(
    client, requester, mailoutbox, django_capture_on_commit_callbacks
):
    ask_for_reset(client, requester.email, django_capture_on_commit_callbacks)
    assert Client().login(username=requester.email, password=PASSWORD)
