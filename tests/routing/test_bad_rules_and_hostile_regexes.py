"""A rule that errors is recorded and skipped; regexes cannot hang the desk."""

import time

import pytest

from apps.core.errors import ApplicationError
from apps.routing import engine
from apps.routing.models import RoutingDecision, Rule
from apps.routing.safe_regex import regex_compile

from .conftest import send_to

HOSTILE_TEXT = "a" * 5000 + "!"


@pytest.mark.parametrize(
    "pattern", [r"(a+)+$", r"(\w*)*x", r"^(a|b+)*c", r"((ab)+)+", r"(x{2,})+y"]
)
def test_nested_quantifiers_are_refused_on_save(desk, make_rule, pattern):
    with pytest.raises(ApplicationError, match="repeats a group that itself repeats"):
        make_rule("Hostile", {"all": [{"field": "subject", "op": "regex", "value": pattern}]},
                  send_to(desk["payments"]))  # fmt: skip
    assert not Rule.objects.exists()


def test_a_broken_pattern_is_refused_with_the_rule_and_field_named(desk, make_rule):
    with pytest.raises(ApplicationError) as caught:
        make_rule("Broken", {"all": [{"field": "subject", "op": "regex", "value": "(unclosed"}]},
                  send_to(desk["payments"]))  # fmt: skip
    assert "Rule “Broken”, conditions, item 1 (Subject matches regex)" in caught.value.message
    assert "Bad regular expression" in caught.value.message


def test_a_pattern_that_slips_past_the_check_times_out_and_the_rule_is_skipped(
    desk, make_rule, open_ticket
):
    # (a|aa)+$ has no nested quantifier yet backtracks exponentially on "aaaa…!".
    evil = r"^(a|aa)+$"
    regex_compile(evil)  # accepted by the static check: the timeout is the last fence
    make_rule("Evil", {"all": [{"field": "description", "op": "regex", "value": evil}]},
              send_to(desk["networks"]))  # fmt: skip
    make_rule("Fallback", {"all": []}, send_to(desk["payments"]))

    started = time.perf_counter()
    ticket = open_ticket(description=HOSTILE_TEXT)
    elapsed = time.perf_counter() - started

    assert elapsed < 2
    assert ticket.team == desk["payments"]
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert decision.errors[0]["rule"] == "Evil"
    assert "stopped" in decision.errors[0]["error"]
    assert [m["rule"] for m in decision.matched] == ["Fallback"]


def test_huge_ticket_text_is_capped_before_matching(desk, make_rule, open_ticket):
    make_rule("Tail", {"all": [{"field": "description", "op": "contains", "value": "needle"}]},
              send_to(desk["networks"]))  # fmt: skip

    ticket = open_ticket(description="hay " * 5000 + "needle")

    assert ticket.team == desk["triage"]  # the needle sits past the 10,000-character cap


def test_an_action_that_fails_is_recorded_and_the_ticket_still_lands(desk, make_rule, open_ticket):
    make_rule("To a team that goes away", {"all": []},
              [*send_to(desk["networks"]), {"action": "set_priority", "params": {"priority": 3}}])  # fmt: skip
    desk["networks"].delete()  # the stored rule now names a team that no longer exists

    ticket = open_ticket()

    assert ticket.team == desk["triage"]
    assert ticket.priority == 3
    actions = RoutingDecision.objects.get(ticket=ticket).matched[0]["actions"]
    assert "no longer exists" in actions[0]["error"]
    assert actions[1]["result"] == "priority → 3"


def test_a_rule_edited_into_nonsense_in_the_database_is_skipped(desk, make_rule, open_ticket):
    rule = make_rule("Fine", {"all": []}, send_to(desk["payments"]))
    Rule.objects.filter(pk=rule.pk).update(
        conditions={"all": [{"field": "shoe_size", "op": "equals", "value": "9"}]}
    )
    engine.bump_version()

    ticket = open_ticket()

    assert ticket.team == desk["triage"]
    assert "cannot compile" in RoutingDecision.objects.get(ticket=ticket).errors[0]["error"]
