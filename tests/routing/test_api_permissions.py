"""The rule API asks what the Django admin asks: an admin (staff) holding the model permission
for what they do — being staff alone is not enough, nor is the permission without staff."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.routing.models import Rule
from apps.routing.rules import rules_export

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

RULES = "/api/v1/routing/rules/"
RULE = {
    "name": "VIP first",
    "conditions": {"all": [{"field": "requester_vip", "op": "equals", "value": "yes"}]},
    "actions": [{"action": "set_priority", "params": {"priority": 4}}],
}


def person(*perms, staff=True):
    user = UserFactory(email=f"{'-'.join(perms) or 'none'}-{staff}@example.com", is_staff=staff)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="routing", codename__in=perms)
    )
    return user


def api(user) -> APIClient:
    """As the caller would: with their API token."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def rule(desk, make_rule):
    return make_rule("Existing", RULE["conditions"], RULE["actions"])


def test_staff_without_permissions_can_neither_read_nor_write(rule):
    caller = api(person())

    assert caller.get(RULES).status_code == 403
    assert caller.get(f"{RULES}{rule.pk}/").status_code == 403
    assert caller.post(RULES, RULE, format="json").status_code == 403
    assert caller.put(f"{RULES}{rule.pk}/", {"enabled": False}, format="json").status_code == 403
    assert caller.delete(f"{RULES}{rule.pk}/").status_code == 403
    assert caller.get(f"{RULES}export/").status_code == 403
    assert caller.post(f"{RULES}import/", rules_export(), format="json").status_code == 403
    assert caller.post(f"{RULES}backtest/", {}, format="json").status_code == 403
    assert Rule.objects.get().enabled


def test_view_permission_reads_but_does_not_write(rule):
    caller = api(person("view_rule"))

    assert caller.get(RULES).status_code == 200
    assert caller.get(f"{RULES}export/").status_code == 200
    assert caller.post(f"{RULES}backtest/", {}, format="json").status_code == 200
    assert caller.post(RULES, RULE, format="json").status_code == 403
    assert caller.patch(f"{RULES}{rule.pk}/", {"enabled": False}, format="json").status_code == 403
    assert caller.delete(f"{RULES}{rule.pk}/").status_code == 403


def test_each_write_needs_its_own_permission(rule):
    assert api(person("add_rule")).post(RULES, RULE, format="json").status_code == 201
    changer = api(person("change_rule"))
    assert changer.patch(f"{RULES}{rule.pk}/", {"enabled": False}, format="json").status_code == 200
    assert changer.delete(f"{RULES}{rule.pk}/").status_code == 403
    assert api(person("delete_rule")).delete(f"{RULES}{rule.pk}/").status_code == 204


def test_import_replaces_everything_so_it_needs_every_write_permission(rule):
    exported = rules_export()
    assert (
        api(person("add_rule", "change_rule")).post(f"{RULES}import/", exported, format="json")
    ).status_code == 403
    everything = person("add_rule", "change_rule", "delete_rule")
    assert api(everything).post(f"{RULES}import/", exported, format="json").status_code == 200


def test_permissions_without_staff_are_not_enough(rule):
    caller = api(person("view_rule", "add_rule", "change_rule", "delete_rule", staff=False))
    assert caller.get(RULES).status_code == 403
    assert caller.post(RULES, RULE, format="json").status_code == 403


def test_superusers_may_do_everything(rule, admin_user):
    assert api(admin_user).get(RULES).status_code == 200
    assert api(admin_user).post(RULES, RULE, format="json").status_code == 201
