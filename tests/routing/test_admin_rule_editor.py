"""Admins edit rules in Django admin without writing JSON; every change is kept in history."""

import pytest

from apps.routing.models import Rule, RuleRevision
from apps.tickets.models import Ticket, TicketEvent
from tests.conftest import signed_in

from .conftest import send_to


def editor_post(**overrides) -> dict:
    data = {
        "name": "Cards to payments", "description": "", "position": "", "enabled": "on",
        "match_mode": "all", "group_a_mode": "any", "group_b_mode": "any",
        "cond_0_group": "", "cond_0_field": "category", "cond_0_op": "equals",
        "cond_0_value": "Card payment declined",
        "cond_1_group": "a", "cond_1_field": "product", "cond_1_op": "in",
        "cond_1_value": "Store POS, Payroll",
        "cond_2_group": "a", "cond_2_field": "location", "cond_2_op": "is_empty", "cond_2_value": "",
        "act_0_action": "set_team", "act_1_action": "add_tags", "act_1_add_tags__tags": "cards, pos",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


def test_admin_builds_a_rule_from_form_rows(desk, admin_client, admin_user, open_ticket):
    response = admin_client.post(
        "/admin/routing/rule/add/", editor_post(act_0_set_team__team=desk["payments"].pk)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = Rule.objects.get()
    assert rule.conditions == {"all": [
        {"field": "category", "op": "equals", "value": "Card payment declined"},
        {"any": [
            {"field": "product", "op": "in", "value": ["Store POS", "Payroll"]},
            {"field": "location", "op": "is_empty"},
        ]},
    ]}  # fmt: skip
    assert rule.actions == [
        {"action": "set_team", "params": {"team": desk["payments"].pk}},
        {"action": "add_tags", "params": {"tags": ["cards", "pos"]}},
    ]
    revision = RuleRevision.objects.get(rule=rule)
    assert (revision.change, revision.changed_by) == ("created", admin_user)
    assert open_ticket(category=desk["card"], product=desk["pos"]).team == desk["payments"]

    page = admin_client.get(f"/admin/routing/rule/{rule.pk}/change/")
    assert page.status_code == 200
    assert 'value="Store POS, Payroll"' in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cond_0_field": "shoe_size"}, "Select a valid choice"),
        ({"cond_0_op": "regex", "cond_0_value": "(a+)+"}, "repeats a group that itself repeats"),
        ({"cond_0_op": "regex", "cond_0_value": "[unclosed"}, "Bad regular expression"),
        ({"cond_0_value": "Broken printers"}, "there is no category called “Broken printers”"),
        ({"act_0_set_team__team": ""}, "Set team: “Team” is required"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(desk, admin_client, overrides, message):
    data = editor_post(act_0_set_team__team=desk["payments"].pk)
    data.update(overrides)

    response = admin_client.post("/admin/routing/rule/add/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rule.objects.exists()


def test_a_team_that_no_longer_exists_is_named_when_saving(desk, make_rule, admin_user):
    from apps.core.errors import ApplicationError
    from apps.routing.rules import rule_update

    rule = make_rule("To networks", {"all": []}, send_to(desk["networks"]))
    desk["networks"].delete()

    with pytest.raises(ApplicationError, match=r"Team .* no longer exists"):
        rule_update(rule=rule, actor=admin_user, data={"name": "Renamed"})


def test_history_keeps_who_changed_what(desk, admin_client, admin_user, make_rule):
    rule = make_rule("Cards", {"all": []}, send_to(desk["payments"]))

    admin_client.post(f"/admin/routing/rule/{rule.pk}/change/", {
        **editor_post(name="Cards v2", act_0_set_team__team=desk["networks"].pk),
        "position": rule.position,
    })  # fmt: skip

    latest = RuleRevision.objects.filter(rule=rule).first()
    assert latest.change == "changed"
    assert latest.changed_by == admin_user
    assert {"name", "conditions", "actions"} <= set(latest.changed_fields)
    assert latest.snapshot["name"] == "Cards v2"


def test_up_down_ordering_enable_disable_and_duplicate(desk, admin_client, make_rule):
    first = make_rule("First", {"all": []}, send_to(desk["payments"]))
    second = make_rule("Second", {"all": []}, send_to(desk["networks"]))

    admin_client.post(f"/admin/routing/rule/{second.pk}/move/up/")
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second", "First"]

    admin_client.post("/admin/routing/rule/", {"action": "disable", "_selected_action": [first.pk]})
    admin_client.post(
        "/admin/routing/rule/", {"action": "duplicate", "_selected_action": [second.pk]}
    )

    assert list(Rule.objects.values_list("name", "enabled")) == [
        ("Second", True), ("Second (copy)", False), ("First", False),
    ]  # fmt: skip
    assert admin_client.get("/admin/routing/rule/").status_code == 200


def test_backtest_of_a_draft_shows_what_would_change_and_writes_nothing(
    desk, admin_client, make_rule, open_ticket
):
    rule = make_rule("Cards to networks", {"all": [
        {"field": "category", "op": "equals", "value": "Card payment declined"}]},
        send_to(desk["networks"]))  # fmt: skip
    for _ in range(3):
        open_ticket(category=desk["card"], product=desk["pos"])
    open_ticket(category=desk["wifi"])
    counts = (Ticket.objects.filter(team=desk["networks"]).count(), TicketEvent.objects.count(),
              Rule.objects.get().actions, RuleRevision.objects.count())  # fmt: skip

    response = admin_client.post(f"/admin/routing/rule/{rule.pk}/change/", {
        **editor_post(name="Cards to networks", act_0_set_team__team=desk["payments"].pk),
        "position": rule.position, "limit": 50, "_backtest": "1",
    })  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert "3 of 4 tickets would route differently" in page
    assert "<td>Networks</td><td>Payments Engineering</td><td>3</td>" in page
    assert counts == (Ticket.objects.filter(team=desk["networks"]).count(), TicketEvent.objects.count(),
                      Rule.objects.get().actions, RuleRevision.objects.count())  # fmt: skip


def test_backtest_of_the_saved_rule_set_against_where_tickets_are_now(
    desk, admin_client, make_rule, open_ticket
):
    for _ in range(2):
        open_ticket(category=desk["wifi"])  # wait in triage: no rule yet
    make_rule("Wi-Fi", {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]},
              send_to(desk["networks"]))  # fmt: skip
    events = TicketEvent.objects.count()

    response = admin_client.get("/admin/routing/rule/backtest/", {"limit": 100})

    assert "2 of 2 tickets would land somewhere else" in response.content.decode()
    assert TicketEvent.objects.count() == events


def test_prefilled_editor_from_a_triaged_ticket(desk, admin_client, open_ticket):
    ticket = open_ticket(category=desk["card"], product=desk["pos"])

    page = admin_client.get(
        f"/admin/routing/rule/add/?from_ticket={ticket.reference}"
    ).content.decode()

    assert 'value="Card payment declined"' in page
    assert 'value="Store POS"' in page
