"""Moving the rule set between environments as JSON: all of it, or nothing."""

import json

import pytest

from apps.core.errors import ApplicationError
from apps.routing.models import Rule
from apps.routing.rules import rules_export, rules_import
from tests.conftest import signed_in

from .conftest import send_to


@pytest.fixture
def two_rules(desk, make_rule, agent):
    make_rule("Cards", {"all": [{"field": "category", "op": "equals", "value": "Card payment declined"}]},
              send_to(desk["payments"], tier=2), stop_processing=True)  # fmt: skip
    make_rule("Tell the desk", {"all": []},
              [{"action": "notify", "params": {"users": [agent.pk], "message": "New ticket"}}])  # fmt: skip


def test_export_uses_slugs_and_emails_and_imports_back_identically(two_rules, desk, admin_user):
    exported = rules_export()
    assert exported["rules"][0]["actions"][0] == {
        "action": "set_team",
        "params": {"team": "payments-engineering"},
    }
    assert exported["rules"][1]["actions"][0]["params"]["users"] == ["agent@example.com"]
    before = list(Rule.objects.values_list("name", "conditions", "actions", "stop_processing"))

    assert rules_import(data=json.loads(json.dumps(exported)), actor=admin_user) == 2

    assert (
        list(Rule.objects.values_list("name", "conditions", "actions", "stop_processing")) == before
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rules"][1].update(conditions={"all": [{"field": "colour", "op": "equals", "value": "x"}]}),
         "Rule 2 “Tell the desk”, conditions, item 1: unknown field “colour”"),
        (lambda d: d["rules"][0]["actions"][0]["params"].update(team="no-such-team"),
         "Rule 1 “Cards”, action 1: there is no team “no-such-team”"),
        (lambda d: d["rules"][0]["conditions"]["all"][0].update(op="regex", value="(x+)*"),
         "Rule 1 “Cards”, conditions, item 1 (Category matches regex)"),
        (lambda d: d["rules"][1].update(name="Cards"), "Rule 2 “Cards”: the name is used twice"),
        (lambda d: d.update(format="something-else"), "Not a rules file"),
    ],
)  # fmt: skip
def test_an_invalid_file_names_the_rule_and_field_and_changes_nothing(
    two_rules, admin_user, mutate, message
):
    data = rules_export()
    mutate(data)
    before = list(Rule.objects.values_list("pk", "name", "actions"))

    with pytest.raises(ApplicationError) as caught:
        rules_import(data=data, actor=admin_user)

    assert message in caught.value.message
    assert list(Rule.objects.values_list("pk", "name", "actions")) == before


def test_admin_import_page_reports_errors_and_keeps_rules(two_rules, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(admin_user)
    exported = client.get("/admin/routing/rule/export/")
    data = json.loads(exported.content)
    data["rules"][0]["actions"][0]["action"] = "teleport"

    response = client.post("/admin/routing/rule/import/", {
        "file": SimpleUploadedFile("rules.json", json.dumps(data).encode(), "application/json")})  # fmt: skip

    page = response.content.decode()
    assert "Rule 1 “Cards”, action 1: There is no ticket action called “teleport”" in page
    assert "Nothing was changed" in page
    assert Rule.objects.count() == 2
