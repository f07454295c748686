"""A new ticket meets the rules: each operator, groups, ordering and stop-processing."""

import pytest

from apps.routing.models import RoutingDecision
from apps.tickets.models import Channel, TicketEvent

from .conftest import send_to


def cond(field, op, value=None):
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


OPERATOR_CASES = [
    # (condition, ticket fields that match, ticket fields that do not)
    (
        cond("category", "equals", "card payment DECLINED"),
        {"category": "card"},
        {"category": "wifi"},
    ),
    (cond("product", "in", ["Payroll", "Store POS"]), {"product": "pos"}, {}),
    (cond("product", "not_in", ["Payroll"]), {"product": "pos"}, {"product": "payroll"}),
    (cond("subject", "contains", "CARDS"), {}, {"subject": "Printer jam"}),
    (cond("text", "contains", "since this"), {}, {"description": "Yesterday."}),
    (cond("subject", "starts_with", "till"), {}, {"subject": "My till is broken"}),
    (cond("subject", "regex", r"\btill\b.*cards?"), {}, {"subject": "Tills and cards"}),
    (cond("location", "is_empty"), {}, {"location": "lyon"}),
    (cond("channel", "equals", "e-mail"), {"channel": Channel.EMAIL}, {}),
    (cond("priority", "in", ["High", "4"]), {"priority": 3}, {"priority": 2}),
]


@pytest.mark.parametrize(("condition", "hit", "miss"), OPERATOR_CASES)
def test_each_operator_sends_matching_tickets_and_leaves_the_rest_in_triage(
    desk, make_rule, open_ticket, condition, hit, miss
):
    make_rule("Under test", {"all": [condition]}, send_to(desk["payments"]))

    def fields(spec):
        return {k: desk[v] if isinstance(v, str) and v in desk else v for k, v in spec.items()}

    assert open_ticket(**fields(hit)).team == desk["payments"]
    assert open_ticket(**fields(miss)).team == desk["triage"]


def test_requester_attributes_domain_department_and_vip(
    desk, make_rule, open_ticket, vip_requester
):
    make_rule(
        "VIPs of northwind finance",
        {"all": [
            cond("requester_domain", "equals", "northwind.example"),
            cond("requester_department", "equals", "finance"),
            cond("requester_vip", "equals", "yes"),
        ]},
        [*send_to(desk["payments"], tier=2), {"action": "set_priority", "params": {"priority": 4}}],
    )  # fmt: skip

    vip_ticket = open_ticket(requester=vip_requester)
    plain_ticket = open_ticket()

    assert (vip_ticket.team, vip_ticket.tier, vip_ticket.priority) == (desk["payments"], 2, 4)
    assert plain_ticket.team == desk["triage"]


def test_nested_any_group_inside_all(desk, make_rule, open_ticket):
    make_rule(
        "Payments + (POS or Payroll)",
        {"all": [
            cond("category", "equals", "Card payment declined"),
            {"any": [cond("product", "equals", "Store POS"), cond("product", "equals", "Payroll")]},
        ]},
        send_to(desk["payments"]),
    )  # fmt: skip

    assert open_ticket(category=desk["card"], product=desk["payroll"]).team == desk["payments"]
    assert open_ticket(category=desk["card"]).team == desk["triage"]
    assert open_ticket(product=desk["pos"]).team == desk["triage"]


def test_rules_apply_in_order_and_a_later_rule_can_override(desk, make_rule, open_ticket):
    make_rule("Cards to payments", {"all": [cond("category", "equals", "Card payment declined")]},
              send_to(desk["payments"]))  # fmt: skip
    make_rule("Lyon store to networks", {"all": [cond("location", "equals", "Store 112 Lyon")]},
              send_to(desk["networks"]))  # fmt: skip

    ticket = open_ticket(category=desk["card"], location=desk["lyon"])

    assert ticket.team == desk["networks"]
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert [m["rule"] for m in decision.matched] == ["Cards to payments", "Lyon store to networks"]


def test_stop_processing_ends_the_evaluation(desk, make_rule, open_ticket):
    make_rule("Cards to payments", {"all": [cond("category", "equals", "Card payment declined")]},
              send_to(desk["payments"]), stop_processing=True)  # fmt: skip
    make_rule("Everything else to networks", {"all": []}, send_to(desk["networks"]))

    card = open_ticket(category=desk["card"])
    other = open_ticket(category=desk["wifi"])

    assert card.team == desk["payments"]
    assert RoutingDecision.objects.get(ticket=card).rules_evaluated == 1
    assert other.team == desk["networks"]


def test_disabled_rules_are_not_looked_at(desk, make_rule, open_ticket):
    make_rule("Off", {"all": []}, send_to(desk["payments"]), enabled=False)

    assert open_ticket().team == desk["triage"]


def test_the_decision_is_recorded_with_timings_and_as_a_routed_event(desk, make_rule, open_ticket):
    make_rule("Cards to payments", {"all": [cond("category", "equals", "Card payment declined")]},
              [*send_to(desk["payments"]), {"action": "add_tags", "params": {"tags": "cards pos"}}])  # fmt: skip

    ticket = open_ticket(category=desk["card"], channel=Channel.API)

    decision = RoutingDecision.objects.get(ticket=ticket)
    assert decision.routed is True
    assert decision.team == desk["payments"]
    assert decision.trigger == "created"
    assert decision.total_ms >= decision.match_ms >= 0
    results = [a["result"] for a in decision.matched[0]["actions"]]
    assert results == ["team → Payments Engineering", "tags → cards, pos"]
    routed = TicketEvent.objects.get(ticket=ticket, kind="routed")
    assert routed.actor is None
    assert routed.data["rules"] == ["Cards to payments"]
    assert routed.data["team"] == "Payments Engineering"


def test_unmatched_ticket_waits_in_triage_with_a_decision_saying_so(desk, open_ticket):
    ticket = open_ticket()

    decision = RoutingDecision.objects.get(ticket=ticket)
    assert ticket.team == desk["triage"]
    assert (decision.routed, decision.matched) == (False, [])
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]
