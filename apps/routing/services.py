"""Routing tickets: evaluating the rules, re-routing, triage, back-tests and classification."""

import logging
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Team, Tier, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets import actions as ticket_actions
from apps.tickets.events import event_record, ticket_transaction
from apps.tickets.models import EventKind, Priority, Ticket, TicketEvent
from apps.tickets.permissions import can_work
from apps.tickets.services import ticket_update

from . import engine
from .conditions import ticket_facts
from .events import Classified, Routed
from .models import RootCause, RoutingDecision, Rule, TicketClassification, Trigger

logger = logging.getLogger(__name__)


def rules_load() -> list[engine.CompiledRule]:
    return [
        engine.compile_rule(
            id=r.pk, name=r.name, conditions=r.conditions, actions=r.actions, stop=r.stop_processing
        )
        for r in Rule.objects.filter(enabled=True).order_by("position", "id")
    ]


def compiled_rules() -> engine.RuleSet:
    return engine.ruleset(rules_load)


def triage_team() -> Team | None:
    return Team.objects.filter(is_triage=True).first()


def _label(name: str) -> str:
    try:
        return ticket_actions.get(name).label
    except ApplicationError:
        return name


def _apply_one(*, ticket: Ticket, name: str, params: dict, source: str) -> dict:
    """Apply one action in a savepoint; a failing action is recorded, not fatal."""
    entry = {"action": name, "label": _label(name)}
    try:
        with transaction.atomic():  # a savepoint: a failed action leaves no half-write
            entry["result"] = ticket_actions.action_apply(
                name=name, ticket=ticket, params=params, actor=None, source=source
            )
    except ApplicationError as exc:
        entry["error"] = exc.message
    except Exception as exc:  # a bug in another app's action must not lose the ticket
        logger.exception("Routing action %s (%s) failed", name, source)
        entry["error"] = f"{type(exc).__name__}: {exc}"
    return entry


def _field_plan(ticket: Ticket, rules) -> tuple[dict, dict]:
    """The ticket fields every matched rule sets, merged in rule order (later rules win, tags
    add up), and for each (rule, action index) the fields it asked for or its error."""
    data, asked = {}, {}
    for rule in rules:
        for index, spec in enumerate(rule.actions):
            try:
                action = ticket_actions.get(spec.get("action", ""))
                if action.fields is None:
                    continue
                fields = action.fields(ticket, action.validate(spec.get("params") or {}))
            except ApplicationError as exc:
                asked[(rule.id, index)] = exc
                continue
            if "tags" in fields and "tags" in data:
                fields = {**fields, "tags": sorted(set(data["tags"]) | set(fields["tags"]))}
            data.update(fields)
            asked[(rule.id, index)] = fields
    return data, asked


def _apply_rules(*, ticket: Ticket, rules) -> list[dict]:
    """Apply the matched rules: every field they set as one ticket update, then their other
    actions (subtasks, SLA policy, notify, …) in rule order, each in its own savepoint."""
    data, asked = _field_plan(ticket, rules)
    sources = "; ".join(f"rule: {rule.name}" for rule in rules)
    changes, together_error = {}, None
    if data:
        try:
            with transaction.atomic():
                changes = ticket_update(
                    ticket=ticket, actor=None, data=data, source=sources, allow_tier=True
                )
        except ApplicationError as exc:
            together_error = exc  # applied one by one below, so the error lands on its action
    matched = []
    for rule in rules:
        done = []
        source = f"rule: {rule.name}"
        for index, spec in enumerate(rule.actions):
            name, params = spec.get("action", ""), spec.get("params") or {}
            plan = asked.get((rule.id, index))
            if isinstance(plan, ApplicationError):
                done.append({"action": name, "label": _label(name), "error": plan.message})
            elif plan is None or together_error is not None:
                done.append(_apply_one(ticket=ticket, name=name, params=params, source=source))
            else:
                result = ticket_actions.changes_text(changes, plan)
                done.append({"action": name, "label": _label(name), "result": result})
        matched.append({"rule_id": rule.id, "rule": rule.name, "actions": done})
    return matched


@ticket_transaction()
def routing_evaluate(*, ticket: Ticket, trigger: str = Trigger.CREATED, actor=None):
    """Run the rules for a ticket, apply what matched, and record why it went where it went."""
    started = time.perf_counter()
    rules = compiled_rules()
    outcome = engine.evaluate(rules, ticket_facts(ticket))
    match_ms = (time.perf_counter() - started) * 1000
    matched = _apply_rules(ticket=ticket, rules=outcome.matched)
    team_set = any(
        a["action"] == "set_team" and "result" in a for m in matched for a in m["actions"]
    )
    if trigger == Trigger.REROUTE and not team_set:
        triage = triage_team()
        if triage and ticket.team_id != triage.pk:
            # Routing again from scratch: what no rule claims goes back to triage.
            ticket_update(ticket=ticket, actor=actor, data={"team": triage}, source="re-route")
    routed = ticket.team_id is not None and not ticket.team.is_triage
    decision = RoutingDecision.objects.create(
        ticket=ticket,
        trigger=trigger,
        actor=actor,
        matched=matched,
        errors=outcome.errors,
        routed=routed and team_set,
        team_id=ticket.team_id,
        rules_evaluated=outcome.evaluated,
        match_ms=round(match_ms, 3),
        total_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    if decision.matched or decision.errors or trigger != Trigger.CREATED:
        # A new ticket no rule touched says nothing in its history: it simply stays in
        # triage (the decision itself is still kept, for the ticket page and the reports).
        _record(decision, ticket, actor)
    return decision


def _record(decision: RoutingDecision, ticket: Ticket, actor) -> None:
    team = ticket.team.name if ticket.team_id else None
    errors = len(decision.errors) + sum(
        1 for m in decision.matched for a in m["actions"] if "error" in a
    )
    event_record(
        ticket=ticket,
        payload=Routed(
            decision_id=decision.pk,
            trigger=decision.trigger,
            rules=[m["rule"] for m in decision.matched],
            team=team,
            routed=decision.routed,
            errors=errors,
            ms=decision.total_ms,
        ),
        actor=actor,
    )


def ticket_reroute(*, ticket: Ticket, actor: User) -> RoutingDecision:
    if not can_work(actor, ticket):
        raise ApplicationError(
            "Only agents of this ticket's team can re-route it.", code="forbidden"
        )
    if not ticket.is_active:
        raise ApplicationError(
            f"{ticket.reference} is {ticket.get_status_display().lower()}: finished work is "
            "not routed again. Reopen it first if there is more to do.",
            field="status",
            code="finished",
        )
    return routing_evaluate(ticket=ticket, trigger=Trigger.REROUTE, actor=actor)


def can_triage(user: User) -> bool:
    # From the seats the user already has loaded: asked on every page (the navigation).
    return bool(user.is_superuser or any(seat.team.is_triage for seat in user.memberships))


@ticket_transaction()
def triage_route(*, ticket: Ticket, actor: User, team, tier=None) -> RoutingDecision:
    """A triager places a ticket with one action: its team, and optionally the tier."""
    if not can_triage(actor) or not can_work(actor, ticket):
        raise ApplicationError("Only the triage team can route this ticket.", code="forbidden")
    if not team:
        raise ApplicationError("Choose the team that owns this problem.", field="team")
    started = time.perf_counter()
    steps = [("set_team", {"team": getattr(team, "pk", team)})]
    if tier not in (None, ""):
        steps.append(("set_tier", {"tier": tier}))
    done = []
    for name, params in steps:
        result = ticket_actions.action_apply(
            name=name, ticket=ticket, params=params, actor=actor, source="triage"
        )
        done.append({"action": name, "label": _label(name), "result": result})
    decision = RoutingDecision.objects.create(
        ticket=ticket,
        trigger=Trigger.TRIAGE,
        actor=actor,
        matched=[{"rule_id": None, "rule": f"Triaged by {actor}", "actions": done}],
        routed=True,
        team_id=ticket.team_id,
        total_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    _record(decision, ticket, actor)
    return decision


def rule_prefill_from_ticket(*, ticket: Ticket, team_id=None, tier=None) -> dict:
    """A new rule that sends tickets like this one where the triager sent it."""
    conditions = []
    for field in ("category", "product"):
        value = getattr(ticket, field)
        if value is not None:
            conditions.append({"field": field, "op": "equals", "value": value.name})
    if not conditions and ticket.location_id:
        conditions.append({"field": "location", "op": "equals", "value": ticket.location.name})
    if not conditions:
        domain = ticket.requester.email_domain
        conditions.append({"field": "requester_domain", "op": "equals", "value": domain})
    team_id = team_id or ticket.team_id
    actions = [{"action": "set_team", "params": {"team": team_id}}] if team_id else []
    if tier not in (None, "") and int(tier) != Tier.ONE:
        actions.append({"action": "set_tier", "params": {"tier": int(tier)}})
    team = Team.objects.filter(pk=team_id).first()
    described = " + ".join(c["value"] for c in conditions)
    return {
        "name": f"{described} → {team.name if team else 'team'}"[:120],
        "conditions": {"all": conditions},
        "actions": actions,
        "stop_processing": True,
        "enabled": True,
    }


# --- Back-test: evaluate without writing ----------------------------------------------------

_SIMULATED = {"set_team": "team", "set_tier": "tier", "set_priority": "priority"}


def _simulate(ticket: Ticket, matched, start_team: int | None, priority=None, names=None) -> dict:
    """Where the matched rules would place a ticket that is being created now (with the
    priority it was opened with, when known); ``other`` names the actions it does not
    simulate, in words when ``names`` (an ActionNames) is given."""
    start_priority = priority or ticket.priority
    state = {"team": start_team, "tier": Tier.ONE, "priority": start_priority, "other": []}
    for rule in matched:
        for spec in rule.actions:
            field = _SIMULATED.get(spec.get("action"))
            value = (spec.get("params") or {}).get(field) if field else None
            if field and value not in (None, ""):
                state[field] = int(value)
            else:
                state["other"].append(
                    names.describe(spec) if names else _label(spec.get("action", ""))
                )
    return state


def _placed_at_creation(tickets: list[Ticket]) -> dict[int, dict]:
    """Where routing placed each ticket when it was created: the team of its "created"
    decision, and the tier and priority it had at that moment (read back from the history:
    the "before" of the first later change, else the value now). Later moves by people,
    escalations or SLA steps are not routing's doing. Three queries, whatever the count."""
    ids = [t.pk for t in tickets]
    decisions = {}
    for d in RoutingDecision.objects.filter(ticket_id__in=ids, trigger=Trigger.CREATED).order_by(
        "created_at", "id"
    ):
        decisions.setdefault(d.ticket_id, d)
    later: dict[int, dict] = {}
    opened: dict[int, int] = {}  # the priority before any change, routing's included
    changes = (
        TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.CHANGED)
        .filter(
            Q(changes__has_key="team") | Q(changes__has_key="tier") | Q(changes__has_key="priority")
        )
        .order_by("created_at", "id")
        .values_list("ticket_id", "created_at", "changes")
    )
    moment = {
        t.pk: decisions[t.pk].created_at if t.pk in decisions else t.created_at for t in tickets
    }
    for ticket_id, at, change in changes:
        if "priority" in change:
            opened.setdefault(ticket_id, change["priority"].get("before"))
        if at <= moment[ticket_id]:
            continue  # routing's own writes (or the creation's): part of the decision
        first = later.setdefault(ticket_id, {})
        for field in ("team", "tier", "priority"):
            if field in change and field not in first:
                first[field] = change[field].get("before")
    team_ids = {name: pk for pk, name in Team.objects.values_list("pk", "name")}  # as recorded
    placed = {}
    for ticket in tickets:
        first = later.get(ticket.pk, {})
        decision = decisions.get(ticket.pk)
        if decision is not None:
            team = decision.team_id
        elif "team" in first:  # no decision kept (an old ticket): its team before the first move
            team = team_ids.get(first["team"])
        else:
            team = ticket.team_id
        placed[ticket.pk] = {
            "team": team,
            "tier": int(first.get("tier") or ticket.tier),
            "priority": int(first.get("priority") or ticket.priority),
            "opened_priority": int(opened.get(ticket.pk) or ticket.priority),
        }
    return placed


def rules_backtest(*, draft: dict | None = None, limit: int = 200, compare: str = "saved") -> dict:
    """Run the saved rule set and a draft of it against the last ``limit`` tickets.

    ``draft`` is one rule's fields (with ``id`` when it edits a saved rule): the draft set is
    the saved one with it in place, tested as if it were switched on (a draft is usually saved
    off until it proves itself). ``compare`` says what "differently" is measured against: the
    saved rule set ("saved") or where routing placed each ticket when it was created
    ("actual"; not where people or escalations moved it since). Reads only.
    """
    limit = max(1, min(int(limit), 5000))
    saved = engine.build(rules_load())
    proposed = engine.build(_with_draft(draft)) if draft is not None else saved
    tickets = list(
        Ticket.objects.select_related(
            "requester", "category", "location", "product", "team"
        ).order_by("-created_at", "-id")[:limit]
    )
    triage = triage_team()
    start = triage.pk if triage else None
    teams = dict(Team.objects.values_list("pk", "name"))
    names = ticket_actions.ActionNames(spec for rule in proposed.rules for spec in rule.actions)
    rows, moves, errors = [], {}, 0
    placed = _placed_at_creation(tickets) if compare == "actual" else {}
    for ticket in tickets:
        facts = ticket_facts(ticket)
        after = engine.evaluate(proposed, facts)
        errors += len(after.errors)
        if compare == "actual":
            was = placed[ticket.pk]
            will = _simulate(ticket, after.matched, start, was["opened_priority"], names)
        else:
            will = _simulate(ticket, after.matched, start, names=names)
            was = _simulate(ticket, engine.evaluate(saved, facts).matched, start)
        if (was["team"], was["tier"], was["priority"]) != (
            will["team"],
            will["tier"],
            will["priority"],
        ):
            key = (teams.get(was["team"], "—"), teams.get(will["team"], "—"))
            moves[key] = moves.get(key, 0) + 1
            rows.append(
                {
                    "ticket": ticket,
                    "now": ticket.team.name if ticket.team_id else "—",
                    "was": teams.get(was["team"], "—"),
                    "will": teams.get(will["team"], "—"),
                    "was_tier": was["tier"],
                    "will_tier": will["tier"],
                    "will_priority": Priority(will["priority"]).label,
                    "rules": [r.name for r in after.matched],
                    "other": will["other"],
                }
            )
    return {
        "tickets": len(tickets),
        "changed": len(rows),
        "errors": errors,
        "moves": sorted(
            ({"from": a, "to": b, "count": n} for (a, b), n in moves.items()),
            key=lambda m: -m["count"],
        ),
        "rows": rows[:100],
        "auto_routed_before": sum(1 for t in tickets if _lands(saved, t, start)),
        "auto_routed_after": sum(1 for t in tickets if _lands(proposed, t, start)),
    }


def _lands(rules, ticket, start) -> bool:
    return (
        _simulate(ticket, engine.evaluate(rules, ticket_facts(ticket)).matched, start)["team"]
        != start
    )


def _with_draft(draft: dict) -> list[engine.CompiledRule]:
    compiled = engine.compile_rule(
        id=draft.get("id"),
        name=draft["name"],
        conditions=draft["conditions"],
        actions=draft["actions"],
        stop=draft.get("stop_processing", False),
    )
    position = draft.get("position")
    ordered = []
    for rule in Rule.objects.exclude(pk=draft.get("id")).order_by("position", "id"):
        ordered.append((rule.position, rule.pk, rule))
    # The draft takes part even when saved switched off: testing it is how it earns "on".
    ordered.append((position if position is not None else 10**9, draft.get("id") or 0, compiled))
    ordered.sort(key=lambda item: (item[0], item[1] or 0))
    return [
        item
        if isinstance(item, engine.CompiledRule)
        else engine.compile_rule(
            id=item.pk,
            name=item.name,
            conditions=item.conditions,
            actions=item.actions,
            stop=item.stop_processing,
        )
        for _, _, item in ordered
        if isinstance(item, engine.CompiledRule) or item.enabled
    ]


# --- Classification ------------------------------------------------------------------------


def _root_cause(value) -> RootCause | None:
    if value in (None, ""):
        return None
    if isinstance(value, RootCause):
        return value
    cause = (
        RootCause.objects.filter(pk=as_id(value), is_active=True).first() if is_id(value) else None
    )
    if cause is None:
        raise ApplicationError(f"Unknown root cause {value!r}.", field="root_cause")
    return cause


@ticket_transaction()
def classification_set(
    *, ticket: Ticket, actor: User, root_cause=None, is_regression: bool = False, feature: str = ""
) -> TicketClassification:
    """The owning team records why the ticket happened."""
    if not can_work(actor, ticket):
        raise ApplicationError(
            "Only agents of this ticket's team can classify it.", code="forbidden"
        )
    feature = (feature or "").strip()
    if len(feature) > 120:
        raise ApplicationError("The feature name is longer than 120 characters.", field="feature")
    cause = _root_cause(root_cause)
    current, _ = TicketClassification.objects.select_for_update().get_or_create(ticket=ticket)
    new = {"root_cause": cause, "is_regression": bool(is_regression), "feature": feature}
    changes = {
        field: {"before": _shown(getattr(current, field)), "after": _shown(value)}
        for field, value in new.items()
        if getattr(current, field) != value
    }
    if changes:
        for field, value in new.items():
            setattr(current, field, value)
        current.updated_by, current.updated_at = actor, timezone.now()
        current.save()
        event_record(ticket=ticket, payload=Classified(), actor=actor, changes=changes)
    return current


def _shown(value):
    return str(value) if isinstance(value, RootCause) else value


def root_cause_hint_apply(*, ticket, params, actor, source) -> str:
    """The "Set root-cause hint" ticket action (rules suggest, agents confirm)."""
    cause = RootCause.objects.get(name=params["root_cause"])
    classification, _ = TicketClassification.objects.get_or_create(ticket=ticket)
    if classification.root_cause_hint_id == cause.pk:
        return "no change"
    classification.root_cause_hint = cause
    classification.save(update_fields=["root_cause_hint"])
    return f"root-cause hint → {cause.name}"


def root_cause_hint_clean(params: dict) -> dict:
    name = str(params.get("root_cause") or "").strip()
    cause = RootCause.objects.filter(name__iexact=name, is_active=True).first()
    if cause is None:
        raise ApplicationError(f"There is no root cause called “{name}”.", field="root_cause")
    return {"root_cause": cause.name}


def classification_merge(*, source: Ticket, target: Ticket, actor) -> None:
    """A duplicate shares the cause of the ticket it is merged into: it takes the target's
    root cause when it has none of its own (so closing it passes the root-cause guard)."""
    cause = (
        TicketClassification.objects.filter(ticket_id=target.pk, root_cause__isnull=False)
        .values_list("root_cause_id", flat=True)
        .first()
    )
    if cause is None:
        return
    TicketClassification.objects.filter(ticket_id=source.pk, root_cause__isnull=True).update(
        root_cause_id=cause
    )
    if not TicketClassification.objects.filter(ticket_id=source.pk).exists():
        TicketClassification.objects.create(
            ticket_id=source.pk, root_cause_id=cause, updated_by=actor
        )


def resolve_requires_root_cause(ticket: Ticket) -> list[str]:
    """Resolve guard: teams that ask for it must name the root cause first."""
    from .models import TeamRoutingSettings

    if not ticket.team_id:
        return []
    required = TeamRoutingSettings.objects.filter(
        team_id=ticket.team_id, requires_root_cause=True
    ).exists()
    if not required:
        return []
    has_cause = TicketClassification.objects.filter(
        ticket_id=ticket.pk, root_cause__isnull=False
    ).exists()
    return [] if has_cause else [f"{ticket.team} requires a root cause before resolving"]
