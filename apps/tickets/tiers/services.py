"""Writes for tiered support: escalate, hand back, hold, and keep time per tier up to date.

Field changes (team, tier, assignee, status) go through ``ticket_update`` so the history records
them; each move also records its own event ("escalated", "handed_back", "holder_changed").
Moves lock the ticket row first and refuse if it is no longer at the tier the caller saw
(``expected_tier``, required), so agents escalating at once cannot move it twice.
"""

from collections.abc import Iterable

from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.core.errors import ApplicationError

from .. import extensions
from ..events import display, event_record, notify, ticket_transaction
from ..models import ACTIVE_STATUSES, Status, Ticket, TicketEvent
from ..permissions import can_work
from ..selectors import agent_choices_for
from ..services import comment_add, ticket_update
from .events import Escalated, HandedBack, HolderChanged
from .models import (
    ChecklistItem,
    ChecklistValue,
    Escalation,
    HandBack,
    Notification,
    TierTime,
)
from .selectors import (
    Step,
    checklist_for,
    checklist_values,
    escalation_target,
    hand_back_target,
    team_lead_for,
    tier_members,
)

# --- Guards -----------------------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("team").get(pk=ticket.pk)


def _check_actor(actor: User | None, ticket: Ticket) -> None:
    if actor is not None and not can_work(actor, ticket):
        raise ApplicationError("You cannot work on this ticket.", code="forbidden")


def _check_unmoved(locked: Ticket, *, expected_team_id, expected_tier) -> None:
    """Refuse if someone moved the ticket since the caller looked at it."""
    if locked.tier == expected_tier and locked.team_id == expected_team_id:
        return
    last = Escalation.objects.filter(ticket=locked).select_related("actor").last()
    by = f" by {last.actor}" if last and last.actor and last.to_tier == locked.tier else ""
    head = (
        f"This ticket is already at tier {locked.tier}, not tier {expected_tier} as you saw it"
        if locked.tier != expected_tier
        else f"This ticket is now with {locked.team}"
    )
    raise ApplicationError(
        f"{head}: {locked.reference} was moved to {locked.team} tier {locked.tier}{by} "
        "a moment ago. Reload the ticket to see where it is now.",
        field="tier",
        code="moved",
    )


def _expected_tier(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            "Say which tier you saw the ticket at (expected_tier).", field="expected_tier"
        ) from None


def _check_active(locked: Ticket, doing: str) -> None:
    if locked.status not in ACTIVE_STATUSES:
        raise ApplicationError(
            f"{locked.reference} is {locked.get_status_display().lower()}: "
            f"reopen it before you {doing} it.",
            field="status",
            code="closed",
        )


def _sync(ticket: Ticket, locked: Ticket) -> None:
    """Callers keep the object they passed in: bring it up to date."""
    for name in ("team", "tier", "assignee", "status", "holder", "holder_team", "updated_at"):
        setattr(ticket, name, getattr(locked, name))


# --- Checklists -------------------------------------------------------------------------------


def _checklist_fill(*, ticket: Ticket, items, values: dict, actor) -> list[ChecklistItem]:
    """Store what was filled in for ``items``; return the items still empty."""
    stored = checklist_values(ticket=ticket)
    missing = []
    for item in items:
        value = str(values.get(item.key) or "").strip()
        if value and value != stored.get(item.pk):
            ChecklistValue.objects.update_or_create(
                ticket=ticket,
                item=item,
                defaults={"value": value, "filled_by": actor, "filled_at": timezone.now()},
            )
        elif not value and not stored.get(item.pk):
            missing.append(item)
    return missing


# --- Notifications ----------------------------------------------------------------------------


def notification_send(
    *,
    ticket: Ticket,
    users: Iterable[User | None],
    kind: str,
    message: str,
    actor: User | None = None,
    email: bool = True,
) -> list[Notification]:
    """In-app notices now; e-mails by the mail app after commit (it sends a "notified" event's
    ``user_ids``). The person who acted is not told about their own action."""
    people = {u.pk: u for u in users if u is not None and u.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return []
    notices = Notification.objects.bulk_create(
        Notification(user=u, ticket=ticket, kind=kind, message=message[:500])
        for u in people.values()
    )
    if email:
        notify(ticket=ticket, user_ids=people, message=message, source=kind, actor=actor)
    return notices


@ticket_transaction()
def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Escalation -------------------------------------------------------------------------------


@ticket_transaction()
def ticket_escalate(
    *,
    ticket: Ticket,
    actor: User | None,
    reason: str,
    values: dict | None = None,
    expected_tier: int,
    expected_team_id: int | None = None,
    source: str = "",
) -> Escalation:
    """Move the ticket one tier up its team's escalation path.

    ``values`` fills the target tier's checklist; a person cannot escalate while an item is
    empty (a rule or timer, acting with no person, can: the gap is recorded).
    ``expected_tier`` is the tier the caller saw the ticket at (required: a click on a page
    that was already escalated must not escalate again); ``expected_team_id`` the team
    (default: the team of the object passed in).
    """
    locked = _lock(ticket)
    _check_actor(actor, locked)
    _check_unmoved(
        locked,
        expected_team_id=ticket.team_id if expected_team_id is None else expected_team_id,
        expected_tier=_expected_tier(expected_tier),
    )
    _check_active(locked, "escalate")
    if locked.team_id is None:
        raise ApplicationError("Put the ticket in a team before escalating it.", field="team")
    target = escalation_target(ticket=locked)
    if target is None:
        raise ApplicationError(
            f"{locked.reference} is at tier {locked.tier}, the last tier: "
            "there is no tier above it to escalate to.",
            field="tier",
            code="last_tier",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the next tier is needed.", field="reason")
    missing = _checklist_fill(
        ticket=locked,
        items=checklist_for(team=target.team, tier=target.tier),
        values=values or {},
        actor=actor,
    )
    if missing and actor is not None:
        raise ApplicationError(
            f"{target.label} needs this before it takes the ticket: "
            + ", ".join(f"“{item.label}”" for item in missing)
            + ".",
            field=f"checklist_{missing[0].key}",
            code="checklist",
        )
    return _escalate(
        ticket, locked, target, actor=actor, reason=reason, missing=missing, source=source
    )


def _escalate(ticket, locked, target: Step, *, actor, reason, missing, source) -> Escalation:
    from_team, from_tier, from_assignee = locked.team, locked.tier, locked.assignee
    first_holder = from_assignee or actor
    if locked.holder_id is None and first_holder and from_team and from_team.touch_and_hold:
        # Never orphaned between tiers: whoever had it (or is escalating it) holds it.
        _holder_set(locked, first_holder, team=from_team, actor=actor, reason="escalated")
    escalation = Escalation.objects.create(
        ticket=locked,
        from_team=from_team,
        from_tier=from_tier,
        to_team=target.team,
        to_tier=target.tier,
        from_assignee=from_assignee,
        reason=reason,
        actor=actor,
    )
    # Ownership passes with the ticket: the new tier's queue picks it up.
    ticket_update(
        ticket=locked,
        actor=actor,
        data={"team": target.team, "tier": target.tier, "assignee": None},
        source=source,
        allow_tier=True,
    )
    event_record(
        ticket=locked,
        payload=Escalated(
            escalation_id=escalation.pk,
            from_team=str(from_team) if from_team else None,
            from_tier=from_tier,
            to_team=str(target.team),
            to_tier=target.tier,
            reason=reason,
            checklist_missing=[item.label for item in missing],
            source=source,
        ),
        actor=actor,
    )
    who = str(actor) if actor else (source or "Switchboard")
    notification_send(
        ticket=locked,
        users=[*tier_members(team=target.team, tier=target.tier), locked.holder],
        kind="escalated",
        message=f"{locked.reference} was escalated to {target.label} by {who}: {reason}",
        actor=actor,
    )
    _sync(ticket, locked)
    return escalation


# --- Hand-back --------------------------------------------------------------------------------


def _hand_back_message(missing: list[ChecklistItem], note: str) -> str:
    lines = []
    if missing:
        lines.append("Missing information: " + ", ".join(item.label for item in missing) + ".")
    if note:
        lines.append(note)
    return "\n\n".join(lines)


@ticket_transaction()
def ticket_hand_back(
    *,
    ticket: Ticket,
    actor: User,
    missing: Iterable[str] = (),
    note: str = "",
    to_requester: bool = False,
    expected_tier: int,
    expected_team_id: int | None = None,
) -> HandBack:
    """Send the ticket back to the tier it came from (or to the requester, pending on them),
    naming what was missing from the current tier's checklist plus free text. Counted."""
    locked = _lock(ticket)
    _check_actor(actor, locked)
    _check_unmoved(
        locked,
        expected_team_id=ticket.team_id if expected_team_id is None else expected_team_id,
        expected_tier=_expected_tier(expected_tier),
    )
    _check_active(locked, "hand back")
    from_team, from_tier = locked.team, locked.tier
    items = {i.key: i for i in checklist_for(team=locked.team, tier=locked.tier)}
    missing = [str(key) for key in missing]
    unknown = [key for key in missing if key not in items]
    if unknown:
        raise ApplicationError(
            f"“{unknown[0]}” is not on the checklist of {locked.team} tier {locked.tier}.",
            field="missing",
        )
    missing_items = [items[key] for key in missing]
    note = (note or "").strip()
    if not missing_items and not note:
        raise ApplicationError(
            "Name the missing information: tick the checklist items or write what is needed.",
            field="missing",
        )
    if to_requester:
        target = _hand_back_to_requester(locked, actor, missing_items, note)
    else:
        target = _hand_back_to_previous_tier(locked, actor)
    hand_back = HandBack.objects.create(
        ticket=locked,
        from_team=from_team,
        from_tier=from_tier,
        to_team=target.team,
        to_tier=target.tier,
        to_requester=to_requester,
        missing=[item.label for item in missing_items],
        note=note,
        actor=actor,
    )
    event_record(
        ticket=locked,
        payload=HandedBack(
            hand_back_id=hand_back.pk,
            from_team=str(from_team) if from_team else None,
            from_tier=from_tier,
            to="requester" if to_requester else target.label,
            missing=hand_back.missing,
            note=note,
        ),
        actor=actor,
    )
    _notify_hand_back(locked, actor, target, to_requester, _hand_back_message(missing_items, note))
    _sync(ticket, locked)
    return hand_back


def _hand_back_to_requester(locked, actor, missing_items, note) -> Step:
    from ..permissions import can_reply_to_requester

    if not can_reply_to_requester(actor, locked):
        raise ApplicationError(
            f"{locked.team} does not reply to requesters directly: hand the ticket back to "
            "the previous tier instead.",
            field="to_requester",
        )
    comment_add(ticket=locked, author=actor, body=_hand_back_message(missing_items, note))
    ticket_update(ticket=locked, actor=actor, data={"status": Status.PENDING})
    return Step(team=locked.team, tier=locked.tier)


def _hand_back_to_previous_tier(locked, actor) -> Step:
    target = hand_back_target(ticket=locked)
    if target is None:
        raise ApplicationError(
            "Tier 1 is the first tier: hand the ticket back to the requester instead.",
            field="to_requester",
        )
    # Back to the agent who escalated it, if they still work in that team.
    assignee = None
    if (
        target.assignee_id
        and Membership.objects.filter(
            team=target.team, user_id=target.assignee_id, user__is_active=True
        ).exists()
    ):
        assignee = User.objects.get(pk=target.assignee_id)
    ticket_update(
        ticket=locked,
        actor=actor,
        data={"team": target.team, "tier": target.tier, "assignee": assignee},
        allow_tier=True,
    )
    return target


def _notify_hand_back(locked, actor, target, to_requester, message) -> None:
    if to_requester:
        # The requester gets the public reply by e-mail already; tell them in-app too.
        notification_send(
            ticket=locked,
            users=[locked.requester],
            kind="handed_back",
            message=f"{locked.reference}: we need more information from you. {message}",
            actor=actor,
            email=False,
        )
        users = [locked.holder]
        text = f"{locked.reference} is waiting on the requester: {message}"
    else:
        users = [locked.assignee or None, locked.holder]
        if locked.assignee is None:
            users += tier_members(team=target.team, tier=target.tier)
        text = f"{locked.reference} was handed back to {target.label} by {actor}: {message}"
    notification_send(ticket=locked, users=users, kind="handed_back", message=text, actor=actor)


# --- Holder (touch and hold) ------------------------------------------------------------------


def _holder_set(locked: Ticket, holder: User | None, *, team, actor, reason: str) -> None:
    before = locked.holder
    Ticket.objects.filter(pk=locked.pk).update(holder=holder, holder_team=team)
    locked.holder, locked.holder_team = holder, team
    event_record(
        ticket=locked,
        payload=HolderChanged(reason=reason, holder_id=holder.pk if holder else None),
        actor=actor,
        changes={"holder": {"before": display(before), "after": display(holder)}},
    )


@ticket_transaction()
def ticket_holder_set(
    *, ticket: Ticket, holder: User | None, actor: User, reason: str = ""
) -> Ticket:
    """Attach an agent to the ticket across tiers (or release it with ``holder=None``)."""
    locked = _lock(ticket)
    _check_actor(actor, locked)
    if holder is not None and (not holder.is_active or not holder.is_agent):
        raise ApplicationError(f"{holder} is not an active agent.", field="holder")
    if holder is not None and not agent_choices_for(ticket=locked).filter(pk=holder.pk).exists():
        # Only whom the holder dialog offers: an agent of the ticket's team (or its assignee).
        raise ApplicationError(
            f"{holder} cannot hold {locked.reference}: choose an agent of "
            f"{locked.team or 'its team'}.",
            field="holder",
        )
    if holder == locked.holder:
        return ticket
    team = None
    if holder is not None:
        team = locked.team if locked.team_id in holder.team_ids else holder.memberships[0].team
    _holder_set(locked, holder, team=team, actor=actor, reason=reason.strip() or "set by hand")
    if holder is not None:
        notification_send(
            ticket=locked,
            users=[holder],
            kind="holder_changed",
            message=f"{actor} made you the holder of {locked.reference}.",
            actor=actor,
        )
    _sync(ticket, locked)
    return ticket


def ticket_take(*, ticket: Ticket, agent: User) -> dict:
    """The agent assigns the ticket to themself; under touch and hold the first one to accept
    it becomes its holder (see ``holder_claim_for_event``)."""
    from ..services import ticket_take as take

    return take(ticket=ticket, agent=agent)


def holder_claim(*, ticket: Ticket, events: list[TicketEvent]) -> None:
    """On a team with touch and hold, the first agent assigned to a ticket becomes its holder."""
    assigned = [e for e in events if (e.changes or {}).get("assignee", {}).get("after")]
    if not assigned:
        return
    event = assigned[-1]
    if ticket.holder_id is not None or ticket.assignee_id is None or ticket.team_id is None:
        return
    team = Team.objects.filter(pk=ticket.team_id, touch_and_hold=True).first()
    if team is None:
        return
    _holder_set(ticket, ticket.assignee, team=team, actor=event.actor, reason="accepted first")


# What the holder hears about besides moves between tiers (those notify them directly).
HOLDER_NEWS = {
    "resolved": ("was resolved", True),
    "reopened": ("was reopened", True),
    "closed": ("was closed", True),
    "replied": ("has a new reply from the requester", False),
}


def holder_notify(*, ticket: Ticket, events: list[TicketEvent]) -> None:
    """Keep the holder told of each change while other tiers work the ticket."""
    for event in events:
        _holder_news(ticket, event)


def _holder_news(ticket: Ticket, event: TicketEvent) -> None:
    news = HOLDER_NEWS.get(event.kind)
    if news is None or ticket.holder_id is None or ticket.holder_id == ticket.assignee_id:
        return  # the assignee hears of these anyway
    if event.kind == "replied" and event.data.get("by_agent"):
        return
    what, email = news
    notification_send(
        ticket=ticket,
        users=[User.objects.filter(pk=ticket.holder_id).first()],
        kind=f"holder_{event.kind}",
        message=f"{ticket.reference}, which you hold, {what}.",
        actor=event.actor,
        email=email,
    )


@ticket_transaction()
def holder_reassign_after_leaving(*, user_id: int, team_id: int) -> int:
    """A holder left the team that made them holder: its lead takes over, recorded (or the
    ticket is released if the team has no lead). Returns how many tickets changed."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return 0
    tickets = list(
        Ticket.objects.select_for_update()
        .filter(holder_id=user_id, holder_team=team, status__in=ACTIVE_STATUSES)
        .order_by("pk")
    )
    lead = team_lead_for(team=team, excluding=User(pk=user_id))
    for ticket in tickets:
        _holder_set(
            ticket, lead, team=team if lead else None, actor=None, reason="holder left team"
        )
        if lead is not None:
            notification_send(
                ticket=ticket,
                users=[lead],
                kind="holder_changed",
                message=f"You now hold {ticket.reference}: its holder left {team}.",
            )
    return len(tickets)


# --- Time per tier ----------------------------------------------------------------------------


def _add_segment(row: TierTime, ticket: Ticket, start, end) -> None:
    tier = row.current_tier
    field = f"tier{tier}_seconds"
    setattr(row, field, getattr(row, field) + max(0.0, (end - start).total_seconds()))
    business = extensions.business_seconds(ticket, start, end)
    if business is not None:
        field = f"tier{tier}_business_seconds"
        setattr(row, field, (getattr(row, field) or 0.0) + business)


# Events that can move a ticket between tiers, or in and out of the active statuses.
TIER_TIME_KINDS = (
    "created",
    "changed",
    "resolved",
    "reopened",
    "closed",
    "escalated",
    "handed_back",
)


def _tier_time_row(ticket: Ticket, *, created: bool) -> TierTime:
    """The ticket's row, locked; a new one for a ticket created in this transaction (nobody
    else can see that ticket yet, so there is nothing to look up or race with)."""
    row = None if created else TierTime.objects.select_for_update().filter(ticket=ticket).first()
    return row or TierTime(
        ticket_id=ticket.pk,
        opened_at=ticket.created_at,
        current_tier=ticket.tier,
        segment_started_at=ticket.created_at if ticket.is_active else None,
    )


def tier_time_record(*, ticket: Ticket, events: list[TicketEvent]) -> TierTime | None:
    """Bring the ticket's time-per-tier row up to date with a change's events (runs in their
    transaction; the row lock keeps concurrent changes of one ticket in order)."""
    events = [e for e in events if e.kind in TIER_TIME_KINDS]
    if not events:
        return None
    state, at = ticket, events[-1].created_at
    row = _tier_time_row(state, created=any(e.kind == "created" for e in events))
    if row.segment_started_at is not None and (
        not state.is_active or state.tier != row.current_tier
    ):
        _add_segment(row, state, row.segment_started_at, at)
        row.segment_started_at = None
    row.current_tier = state.tier
    if state.is_active and row.segment_started_at is None:
        row.segment_started_at = at
    done_at = state.resolved_at or state.closed_at
    row.resolved_at = None if state.is_active else done_at
    row.open_to_resolved_seconds = (
        (done_at - row.opened_at).total_seconds() if row.resolved_at else None
    )
    row.escalations += sum(e.kind == "escalated" for e in events)
    row.hand_backs += sum(e.kind == "handed_back" for e in events)
    row.updated_at = timezone.now()
    row.save(force_insert=row._state.adding)
    return row
