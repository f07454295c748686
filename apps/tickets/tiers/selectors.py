"""Reads for tiered support: where a ticket escalates to, what each tier requires, time per tier,
hand-back counts, held tickets and notifications."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Membership, Team, User

from .. import extensions
from ..models import ACTIVE_STATUSES, Ticket
from .models import (
    LAST_TIER,
    TIERS,
    ChecklistItem,
    ChecklistValue,
    Escalation,
    HandBack,
    Notification,
    TierTime,
)


@dataclass(frozen=True)
class Step:
    team: Team
    tier: int
    assignee_id: int | None = None  # who had the ticket there (hand-back goes back to them)

    @property
    def label(self) -> str:
        return f"{self.team} tier {self.tier}"


def escalation_target(*, ticket: Ticket) -> Step | None:
    """The next tier: the team's configured step, else the same team one tier up; None at the
    last tier."""
    if ticket.team_id is None:
        return None
    step = (
        ticket.team.escalation_steps.filter(from_tier=ticket.tier).select_related("to_team").first()
    )
    if step is not None:
        return Step(team=step.to_team, tier=step.to_tier)
    if ticket.tier >= LAST_TIER:
        return None
    return Step(team=ticket.team, tier=ticket.tier + 1)


def hand_back_target(*, ticket: Ticket) -> Step | None:
    """The tier before: where the last escalation into the current team and tier came from,
    else the same team one tier down; None at tier 1."""
    came_from = (
        Escalation.objects.filter(ticket=ticket, to_team=ticket.team_id, to_tier=ticket.tier)
        .select_related("from_team")
        .order_by("-created_at", "-id")
        .first()
    )
    if came_from is not None and came_from.from_team is not None:
        return Step(came_from.from_team, came_from.from_tier, came_from.from_assignee_id)
    if ticket.tier <= min(TIERS) or ticket.team_id is None:
        return None
    return Step(team=ticket.team, tier=ticket.tier - 1)


def checklist_for(*, team: Team | None, tier: int) -> list[ChecklistItem]:
    if team is None:
        return []
    return list(ChecklistItem.objects.filter(team=team, tier=tier, is_active=True))


def checklist_values(*, ticket: Ticket) -> dict[int, str]:
    """item id → value filled in on this ticket."""
    return dict(ChecklistValue.objects.filter(ticket=ticket).values_list("item_id", "value"))


def tier_time_for(*, ticket: Ticket, now=None) -> dict:
    """Seconds per tier including the running segment, and open→resolved, for the strip and
    the API. Reads the one summary row; never the history."""
    row = TierTime.objects.filter(ticket=ticket).first()
    now = now or timezone.now()
    wall = dict.fromkeys(TIERS, 0.0)
    business: dict[int, float | None] = dict.fromkeys(TIERS)
    summary = {"escalations": 0, "hand_backs": 0, "open_to_resolved_seconds": None}
    if row is not None:
        for tier in TIERS:
            wall[tier] = getattr(row, f"tier{tier}_seconds")
            business[tier] = getattr(row, f"tier{tier}_business_seconds")
        if row.segment_started_at is not None:
            tier, start = row.current_tier, row.segment_started_at
            wall[tier] += max(0.0, (now - start).total_seconds())
            running = extensions.business_seconds(ticket, start, now)
            if running is not None:
                business[tier] = (business[tier] or 0.0) + running
        summary = {
            "escalations": row.escalations,
            "hand_backs": row.hand_backs,
            "open_to_resolved_seconds": row.open_to_resolved_seconds,
        }
    total = sum(wall.values()) or 1.0
    return {
        **summary,
        "current_tier": ticket.tier,
        "tiers": [
            {
                "tier": tier,
                "seconds": round(wall[tier]),
                "business_seconds": None if business[tier] is None else round(business[tier]),
                "percent": round(100 * wall[tier] / total, 1),
            }
            for tier in TIERS
        ],
    }


def ticket_list_held_by(*, user: User) -> QuerySet[Ticket]:
    """The "Held by me" page: active tickets this agent holds, whichever team and tier has them now."""
    return (
        Ticket.objects.filter(holder=user, status__in=ACTIVE_STATUSES)
        .select_related("team", "assignee", "requester", "tier_time")
        .order_by("-updated_at", "-id")
    )


def _led_by(user: User | None, *fields: str) -> Q:
    """Rows of the teams ``user`` leads (through any of ``fields``); everything for admins and
    for no user (a report run by the machine)."""
    if user is None or user.is_superuser:
        return Q()
    scope = Q(pk__in=[])
    for field in fields:
        scope |= Q(**{f"{field}__in": user.led_team_ids})
    return scope


def hand_back_counts_by_team(*, since=None, user: User | None = None) -> QuerySet:
    """The KPI: cases sent back to each team for lack of information (of the teams ``user``
    leads)."""
    qs = HandBack.objects.filter(_led_by(user, "to_team"), to_requester=False)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return (
        qs.values("to_team", "to_team__name")
        .annotate(count=Count("id"), tickets=Count("ticket", distinct=True))
        .order_by("-count", "to_team__name")
    )


def hand_back_list_recent(*, since, user: User | None = None) -> QuerySet[HandBack]:
    """Recent hand-backs from or to the teams ``user`` leads."""
    return (
        HandBack.objects.filter(_led_by(user, "from_team", "to_team"), created_at__gte=since)
        .select_related("ticket__team", "from_team", "to_team", "actor")
        .order_by("-created_at", "-id")
    )


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """Newest first. The ticket's team too: a notice of a ticket the reader can no longer open
    names it; and its requester, whom ``ticket_page_for`` asks about colleagues' tickets."""
    return (
        Notification.objects.filter(user=user)
        .select_related("ticket__team", "ticket__requester")
        .order_by("-created_at", "-id")
    )


def notification_unread_count(*, user: User, limit: int) -> int:
    """How many unread, counting at most ``limit`` (an index range scan, then a count)."""
    return Notification.objects.unread().filter(user=user).values("pk")[:limit].count()


def notification_get(*, user: User, pk: int) -> Notification | None:
    """One of this person's own notices; None for anyone else's (or none at all)."""
    return Notification.objects.filter(user=user, pk=pk).select_related("ticket").first()


def team_lead_for(*, team: Team, excluding: User | None = None) -> User | None:
    seats = Membership.objects.filter(team=team, is_lead=True, user__is_active=True)
    if excluding is not None:
        seats = seats.exclude(user=excluding)
    seat = seats.select_related("user").order_by("id").first()
    return seat.user if seat else None


def tier_members(*, team: Team, tier: int) -> list[User]:
    """Who works a team's tier (everyone in the team if nobody sits at that tier)."""
    seats = list(Membership.objects.filter(team=team, user__is_active=True).select_related("user"))
    at_tier = [s.user for s in seats if s.tier == tier]
    return at_tier or [s.user for s in seats]
