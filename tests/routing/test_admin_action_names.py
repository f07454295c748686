"""Everywhere in the admin a rule's actions read as words — "Set priority: High", "Notify
people: Lena Fischer" — never as ids or JSON: the rule list, its history, the decisions it
made and the back-test."""

import pytest

from apps.routing.models import RoutingDecision, RuleRevision
from apps.sla.models import Calendar, Policy
from apps.subtasks.models import SubtaskKind
from apps.tickets.actions import ActionNames
from apps.tickets.models import Priority
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.subtasks.factories import template_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


@pytest.fixture
def lena(db):
    return UserFactory(email="lena@example.com", full_name="Lena Fischer")


@pytest.fixture
def till(db):
    # The kinds come from a data migration that a transactional test may have flushed.
    for name in ("Data fix", "Workaround", "New test"):
        SubtaskKind.objects.get_or_create(name=name)
    return template_with_items("Till replacement")


@pytest.fixture
def shops_policy(db):
    calendar = Calendar.objects.create(name="Shops")
    return Policy.objects.create(name="Shop hours", calendar=calendar)


def every_kind(desk, lena, till, shops_policy) -> list[dict]:
    return [
        {"action": "set_team", "params": {"team": desk["networks"].pk}},
        {"action": "set_tier", "params": {"tier": 2}},
        {"action": "set_priority", "params": {"priority": Priority.HIGH}},
        {"action": "notify", "params": {"users": [lena.pk], "message": "Store down"}},
        {"action": "add_tags", "params": {"tags": ["pos", "till"]}},
        {"action": "create_subtasks_from_template", "params": {"template": till.pk}},
        {"action": "apply_sla_policy", "params": {"policy": shops_policy.pk}},
    ]


WORDS = [
    "Set team: Networks",
    "Set tier: Tier 2",
    "Set priority: High",
    "Notify people: Lena Fischer; message “Store down”",
    "Add tags: pos, till",
    "Create subtasks from a template: Till replacement",
    "Apply SLA policy: Shop hours",
]


def test_every_kind_of_parameter_is_named(desk, lena, till, shops_policy):
    specs = every_kind(desk, lena, till, shops_policy)

    assert [ActionNames(specs).describe(spec) for spec in specs] == WORDS


def test_a_deleted_team_or_uninstalled_action_is_said_so(desk):
    specs = [
        {"action": "set_team", "params": {"team": 999999}},
        {"action": "launch_rocket", "params": {}},
    ]

    assert ActionNames(specs).describe_all(specs) == (
        "Set team: a deleted team; launch_rocket (not installed)"
    )


def test_the_rule_list_shows_actions_in_words(
    desk, admin_client, make_rule, lena, till, shops_policy
):
    make_rule("Shops", {"all": []}, every_kind(desk, lena, till, shops_policy))

    page = admin_client.get("/admin/routing/rule/").content.decode()

    assert "<br>".join(WORDS) in page
    assert f'"team": {desk["networks"].pk}' not in page


@pytest.mark.parametrize("count", [2, 30])
def test_the_rule_list_costs_the_same_for_few_and_many_rules(
    desk, admin_client, make_rule, lena, till, shops_policy, count, django_assert_max_num_queries
):
    for n in range(count):
        make_rule(f"Rule {n}", {"all": []}, every_kind(desk, lena, till, shops_policy))

    with django_assert_max_num_queries(16):
        response = admin_client.get("/admin/routing/rule/")

    assert response.content.decode().count("Set priority: High") == count


def test_history_and_decisions_name_actions(desk, admin_client, make_rule, lena, open_ticket):
    rule = make_rule(
        "Cards",
        {"all": [{"field": "category", "op": "equals", "value": "Card payment declined"}]},
        [
            {"action": "set_team", "params": {"team": desk["payments"].pk}},
            {"action": "notify", "params": {"users": [lena.pk]}},
        ],
    )
    open_ticket(category=desk["card"])
    revision = RuleRevision.objects.get(rule=rule)
    decision = RoutingDecision.objects.get()

    history = admin_client.get(f"/admin/routing/rulerevision/{revision.pk}/change/")
    why = admin_client.get(f"/admin/routing/routingdecision/{decision.pk}/change/")

    assert "Set team: Payments Engineering; Notify people: Lena Fischer" in history.content.decode()
    assert "Category equals “Card payment declined”" in history.content.decode()
    assert "Cards: Set team — team → Payments Engineering" in why.content.decode()
    assert "&quot;rule_id&quot;" not in why.content.decode()


def test_the_backtest_names_the_actions_it_does_not_simulate(
    desk, admin_client, make_rule, lena, open_ticket
):
    for _ in range(2):
        open_ticket(category=desk["wifi"])
    make_rule(
        "Wi-Fi",
        {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]},
        [
            {"action": "set_team", "params": {"team": desk["networks"].pk}},
            {"action": "notify", "params": {"users": [lena.pk]}},
        ],
    )

    page = admin_client.get("/admin/routing/rule/backtest/", {"limit": 50}).content.decode()

    assert "<td>Notify people: Lena Fischer</td>" in page


def test_without_script_each_parameter_names_its_action(desk, admin_client):
    page = admin_client.get("/admin/routing/rule/add/").content.decode()

    assert '<span class="rule-params-for">Set priority:</span>' in page
    assert '<span class="rule-params-for">Notify people:</span>' in page
