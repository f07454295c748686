"""Self sign-up: only the domains an organisation lists, an inactive account until a signed,
expiring link is used with the chosen password, and nothing said about who has an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing as django_signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Organisation, User
from apps.accounts.signup import SIGN_UP_SALT, sign_up_link_url
from apps.core.models import OutboxMessage

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "stockroom-lantern-42"


@pytest.fixture
def northwind():
    return Organisation.objects.create(
        name="Northwind Retail", email_domains="northwind.example\nstores.northwind.example"
    )


def sign_up(client, email, password=NEW_PASSWORD, name="Sam Store"):
    return client.post(
        reverse("accounts:sign-up"), {"full_name": name, "email": email, "password": password}
    )


def confirm_path(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+?(/accounts/sign-up/confirm/\S+/)", message.body).group(1)


def _page(response, local: str) -> str:
    """The page with its address and per-response tokens (CSRF, nonces) blanked out."""
    text = response.content.decode().replace(local, "someone")
    return re.sub(r"[A-Za-z0-9+/=_-]{20,}", "…", text)


def signed_in_user(client: Client):
    return client.get(reverse("home")).wsgi_request.user


def test_an_allowed_domain_gets_an_inactive_account_and_a_link_that_activates_it(client, northwind):
    response = sign_up(client, "Sam@Stores.Northwind.example")

    assert response.status_code == 200
    user = User.objects.get(email="sam@stores.northwind.example")
    assert not user.is_active
    assert user.organisation == northwind
    [message] = OutboxMessage.objects.filter(kind="sign_up_confirm")
    assert message.to == user.email
    path = confirm_path(message)
    assert client.get(path).status_code == 200  # a mail scanner's GET changes nothing
    assert not User.objects.get(pk=user.pk).is_active

    response = client.post(path, {"password": NEW_PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert signed_in_user(client) == user


def test_an_address_of_another_domain_is_refused_with_a_clear_message(client, northwind):
    for email in (
        "eve@evil.example",
        "eve@northwind.example.evil.example",
        "eve@sub.northwind.example",
    ):
        response = sign_up(client, email)
        assert response.status_code == 400
        assert b"domain is not one of them" in response.content
    assert not User.objects.filter(email__startswith="eve@").exists()
    assert not OutboxMessage.objects.exists()


def test_an_existing_account_gets_the_same_answer_and_its_owner_a_note(client, northwind):
    owner = UserFactory(email="rita@northwind.example", organisation=northwind)
    new = sign_up(Client(), "new@northwind.example")

    response = sign_up(client, "rita@northwind.example", password="another-pass-9876")

    assert response.status_code == new.status_code == 200
    assert _page(response, "rita") == _page(new, "new")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # untouched
    assert owner.is_active
    [note] = OutboxMessage.objects.filter(kind="sign_up_existing")
    assert note.to == owner.email
    assert "already have an account" in note.body
    assert "/sign-up/confirm/" not in note.body


def test_a_deactivated_account_is_not_revived_by_signing_up(client, northwind):
    leaver = UserFactory(email="leaver@northwind.example", organisation=northwind)
    User.objects.filter(pk=leaver.pk).update(is_active=False, last_login=timezone.now())

    sign_up(client, "leaver@northwind.example")

    assert not User.objects.get(pk=leaver.pk).is_active
    assert not OutboxMessage.objects.filter(kind="sign_up_confirm").exists()
    assert OutboxMessage.objects.filter(kind="sign_up_existing").count() == 1


def test_a_stranger_who_signs_up_with_my_address_cannot_use_the_account(client, northwind):
    """The attacker chooses the password; the owner follows the link without knowing it."""
    sign_up(Client(), "victim@northwind.example", password="attacker-knows-this-1")
    path = confirm_path(OutboxMessage.objects.get(kind="sign_up_confirm"))

    response = client.post(path, {"password": "owner-guess-123456"})

    assert response.status_code == 400
    assert not User.objects.get(email="victim@northwind.example").is_active
    # The owner signs up themself: the stranger's link dies, the owner's works.
    sign_up(Client(), "victim@northwind.example", password=NEW_PASSWORD)
    new_path = confirm_path(OutboxMessage.objects.filter(kind="sign_up_confirm").latest("id"))
    assert Client().post(path, {"password": "attacker-knows-this-1"}).status_code == 400
    assert client.post(new_path, {"password": NEW_PASSWORD}).status_code == 302
    assert User.objects.get(email="victim@northwind.example").check_password(NEW_PASSWORD)


def test_a_link_confirms_once(client, northwind):
    sign_up(client, "sam@northwind.example")
    path = confirm_path(OutboxMessage.objects.get(kind="sign_up_confirm"))
    assert Client().post(path, {"password": NEW_PASSWORD}).status_code == 302

    response = Client().post(path, {"password": NEW_PASSWORD})

    assert response.status_code == 400


def test_an_expired_link_does_nothing(client, northwind):
    sign_up(client, "sam@northwind.example")
    path = confirm_path(OutboxMessage.objects.get(kind="sign_up_confirm"))
    later = timezone.now() + timedelta(seconds=settings.SIGN_UP_LINK_MAX_AGE + 60)

    with time_machine.travel(later, tick=False):
        response = client.post(path, {"password": NEW_PASSWORD})

    assert response.status_code == 400
    assert b"expired" in response.content
    assert not User.objects.get(email="sam@northwind.example").is_active


def test_forged_links_do_nothing(client, northwind):
    sign_up(client, "sam@northwind.example")
    sam = User.objects.get(email="sam@northwind.example")
    real = sign_up_link_url(user=sam).rsplit("/", 2)[-2]
    forged = [
        real[:-2] + ("AA" if real[-2:] != "AA" else "BB"),  # altered signature
        django_signing.dumps({"u": sam.pk, "p": sam.password[-16:]}, salt="another-salt"),
        django_signing.dumps({"u": sam.pk}, salt=SIGN_UP_SALT, key="not-our-secret-key-" * 3),
        "not-a-token",
    ]
    for token in forged:
        path = reverse("accounts:sign-up-confirm", args=[token])
        assert client.post(path, {"password": NEW_PASSWORD}).status_code == 400
    assert not User.objects.get(pk=sam.pk).is_active


def test_a_sign_in_link_is_no_confirmation_link(client, northwind):
    from apps.accounts.services import sign_in_link_url

    sign_up(client, "sam@northwind.example")
    sam = User.objects.get(email="sam@northwind.example")
    token = sign_in_link_url(user=sam).rsplit("/", 2)[-2]

    response = client.post(
        reverse("accounts:sign-up-confirm", args=[token]), {"password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert not User.objects.get(pk=sam.pk).is_active


def test_an_inactive_sign_up_cannot_sign_in_or_reset_before_confirming(client, northwind):
    sign_up(client, "sam@northwind.example")

    assert not Client().login(username="sam@northwind.example", password=NEW_PASSWORD)


def test_sign_up_is_limited_like_the_other_public_forms(client, northwind, settings):
    settings.RATELIMIT_MAIL_PER_ADDRESS = "2/h"
    statuses = [sign_up(client, "sam@northwind.example").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert OutboxMessage.objects.count() == 2


def test_a_weak_password_is_refused(client, northwind):
    response = sign_up(client, "sam@northwind.example", password="123")
    assert response.status_code == 400
    assert not User.objects.filter(email="sam@northwind.example").exists()


def test_domains_are_one_per_line_or_a_json_list_and_belong_to_one_organisation(northwind):
    contoso = Organisation(
        name="Contoso", email_domains='["Contoso.example", "@shop.contoso.example"]'
    )
    contoso.full_clean()
    assert contoso.email_domains == "contoso.example\nshop.contoso.example"
    contoso.save()
    thief = Organisation(name="Thief", email_domains="northwind.example")
    with pytest.raises(ValidationError, match="already belongs to Northwind Retail"):
        thief.full_clean()
    with pytest.raises(ValidationError, match="Not a domain"):
        Organisation(name="Bad", email_domains="not a domain!").full_clean()
