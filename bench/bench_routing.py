"""Routing: evaluating one new ticket against 1,000 enabled rules.

The rules mix every operator (about 5 conditions each, some in any-groups, some regexes) and
are built so that each condition is true about half the time for the measured ticket, as in
a real rule set where most rules fail somewhere in the middle. The figure includes what
routing does per ticket besides matching: reading the shared rule-set version from the cache
(a Redis round trip when REDIS_URL is set) and reading the ticket's facts. Everything is created in a
transaction that is rolled back, so other benchmarks never see these rules.
"""

import random
import time

from django.db import transaction

from apps.accounts.models import Team, User
from apps.routing import engine
from apps.routing.conditions import ticket_facts
from apps.routing.models import Rule
from apps.routing.services import compiled_rules
from apps.tickets.models import Category, Location, Product, Ticket

RULES = 1000
ROUNDS = 2000


class _Rollback(Exception):
    pass


def _conditions(rng: random.Random) -> list[dict]:
    """Five conditions, each true about half the time for the measured ticket."""
    pool = [
        lambda hit: {"field": "category", "op": "equals", "value": "Card payment declined" if hit else f"Category {rng.randint(1, 500)}"},
        lambda hit: {"field": "product", "op": "in", "value": ["Store POS", "Payroll"] if hit else ["VPN", f"Tool {rng.randint(1, 99)}"]},
        lambda hit: {"field": "location", "op": "not_in", "value": ["Store 204 Lille"] if hit else ["Store 112 Lyon"]},
        lambda hit: {"field": "text", "op": "contains", "value": "terminal" if hit else f"word{rng.randint(1, 999)}"},
        lambda hit: {"field": "subject", "op": "starts_with", "value": "card" if hit else "printer"},
        lambda hit: {"field": "requester_domain", "op": "equals", "value": "northwind.example" if hit else "other.example"},
        lambda hit: {"field": "requester_department", "op": "in", "value": ["stores", "finance"] if hit else ["hr"]},
        lambda hit: {"field": "requester_vip", "op": "equals", "value": "no" if hit else "yes"},
        lambda hit: {"field": "channel", "op": "equals", "value": "web" if hit else "email"},
        lambda hit: {"field": "description", "op": "regex", "value": r"\bdeclin(ed|es)\b" if hit else rf"\berror {rng.randint(100, 999)}\b"},
        lambda hit: {"field": "product", "op": "is_empty"} if not hit else {"field": "category", "op": "starts_with", "value": "card"},
    ]  # fmt: skip
    chosen = [rng.choice(pool)(rng.random() < 0.5) for _ in range(5)]
    if rng.random() < 0.3:
        return [*chosen[:3], {"any": chosen[3:]}]
    return chosen


def _setup(team: Team) -> Ticket:
    rng = random.Random(42)
    Rule.objects.bulk_create(
        Rule(
            name=f"Bench rule {n}",
            position=n,
            conditions={"all": _conditions(rng)},
            actions=[{"action": "set_team", "params": {"team": team.pk}}],
        )
        for n in range(RULES)
    )
    engine.bump_version()
    requester = User.objects.create_user(
        email="bench.requester@northwind.example", department="Stores", site="Store 112 Lyon"
    )
    return Ticket.objects.create(
        requester=requester,
        subject="Card terminal declines contactless",
        description="Since this morning every contactless payment is declined at till 3.",
        category=Category.objects.get_or_create(name="Card payment declined")[0],
        product=Product.objects.get_or_create(name="Store POS")[0],
        location=Location.objects.get_or_create(name="Store 112 Lyon")[0],
    )


def _measure(ticket: Ticket) -> dict[str, float]:
    started = time.perf_counter()
    compiled_rules()
    compile_ms = (time.perf_counter() - started) * 1000
    matched = 0
    started = time.perf_counter()
    for _ in range(ROUNDS):
        # What routing does per ticket: check the shared version, read the facts, match.
        outcome = engine.evaluate(compiled_rules(), ticket_facts(ticket))
        matched += len(outcome.matched)
    per_ticket = (time.perf_counter() - started) * 1000 / ROUNDS
    assert 0 < matched / ROUNDS < RULES, "the bench rules should match some, not all"
    return {
        "routing_eval_ms_1000_rules": per_ticket,
        "routing_compile_ms_1000_rules": compile_ms,
    }


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            team = Team.objects.create(name="Bench routing team", slug="bench-routing-team")
            ticket = _setup(team)
            ticket = Ticket.objects.select_related(
                "requester", "category", "product", "location"
            ).get(pk=ticket.pk)
            figures = _measure(ticket)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        engine.forget_compiled()
        engine.bump_version()
    return figures
