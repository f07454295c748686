"""The weekly mentor review: reads. Which tickets each tech touched that closed in a week (from
the event history), shaped for the sponsor's review, the tech's "My week" and the digest, each
in a fixed number of queries however many techs and tickets.

A tech *touched* a ticket when the history shows them working it (a reply, an internal note, an
escalation, a hand-back, a change of its fields or status), being assigned it (by anyone), or
becoming its holder; or when they are its assignee or holder now. Viewing it, or its sitting in
the tech's team's queue, is not touching it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from apps.accounts.models import User
from apps.tickets.models import Comment, EventKind, Status, Ticket, TicketEvent
from apps.tickets.permissions import can_work

from ..satisfaction.models import Kudos
from .models import Pairing, ReviewEntry
from .weeks import last_week, week_bounds

# The kinds whose actor worked the ticket (tiers declares "escalated" and "handed_back").
WORK_KINDS = (
    EventKind.REPLIED,
    EventKind.NOTE_ADDED,
    "escalated",
    "handed_back",
    EventKind.CHANGED,
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.CLOSED,
)
# Payloads of ticket_update, which name whom a change assigned (``assignee_id``).
ASSIGN_KINDS = (EventKind.CHANGED, EventKind.RESOLVED, EventKind.REOPENED, EventKind.CLOSED)
HOLDER_KIND = "holder_changed"
# Having done none of these, the tech passed it on without working it (a suggestion only).
HANDS_ON = {EventKind.REPLIED, EventKind.NOTE_ADDED, EventKind.RESOLVED, EventKind.CLOSED}
# How a tech touched a ticket, in the order the review lists them.
WAYS = {
    "assigned": "assigned",
    "held": "held",
    EventKind.REPLIED: "replied",
    EventKind.NOTE_ADDED: "internal note",
    "escalated": "escalated",
    "handed_back": "handed back",
    EventKind.CHANGED: "changed",
    EventKind.REOPENED: "reopened",
    EventKind.RESOLVED: "resolved",
    EventKind.CLOSED: "closed",
}
DONE = (Status.RESOLVED, Status.CLOSED)


@dataclass
class Touch:
    """A ticket a tech touched, and how."""

    ticket: Ticket
    ways: list[str]  # labels from WAYS

    @property
    def passed_on_suggested(self) -> bool:
        return not any(WAYS[kind] in self.ways for kind in HANDS_ON)


def is_admin(user: User) -> bool:
    """Admins as insights counts them: Django staff and superusers."""
    return bool(user.is_superuser or user.is_staff)


# --- Touched ---------------------------------------------------------------------------------


def done_in_week_q(week: datetime.date, *, prefix: str = "") -> Q:
    """Finished (resolved or closed) with its latest resolution in the week. A ticket closed
    straight from active keeps no resolved_at: its closed_at counts."""
    start, end = week_bounds(week)
    p = prefix
    return Q(
        **{f"{p}status__in": DONE, f"{p}resolved_at__gte": start, f"{p}resolved_at__lt": end}
    ) | Q(
        **{
            f"{p}status": Status.CLOSED,
            f"{p}resolved_at__isnull": True,
            f"{p}closed_at__gte": start,
            f"{p}closed_at__lt": end,
        }
    )


def touched_in_week(*, tech_ids: Iterable[int], week: datetime.date) -> dict[int, list[Touch]]:
    """tech id → the tickets they touched that closed in ``week`` (oldest resolution first).
    Two queries, however many techs and tickets."""
    return touches(tech_ids=tech_ids, tickets=Ticket.objects.filter(done_in_week_q(week)))


def touches(*, tech_ids: Iterable[int], tickets: QuerySet[Ticket]) -> dict[int, list[Touch]]:
    """tech id → the tickets of ``tickets`` they touched: one query over the events of those
    tickets, one for the tickets themselves."""
    techs = sorted({pk for pk in tech_ids if pk})
    if not techs:
        return {}
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    events = (
        TicketEvent.objects.filter(ticket__in=tickets.values("pk"))
        .filter(
            Q(actor_id__in=techs, kind__in=WORK_KINDS)
            | Q(kind__in=ASSIGN_KINDS, data__assignee_id__in=techs)
            | Q(kind=HOLDER_KIND, data__holder_id__in=techs)
        )
        .order_by()
        .values_list("ticket_id", "actor_id", "kind", "data")
    )
    for ticket_id, actor_id, kind, data in events:
        data = data or {}
        if actor_id in techs and kind in WORK_KINDS:
            found[(actor_id, ticket_id)].add(kind)
        if kind in ASSIGN_KINDS and data.get("assignee_id") in techs:
            found[(data["assignee_id"], ticket_id)].add("assigned")
        if kind == HOLDER_KIND and data.get("holder_id") in techs:
            found[(data["holder_id"], ticket_id)].add("held")
    ids = {ticket_id for _, ticket_id in found}
    rows = (
        tickets.filter(Q(pk__in=ids) | Q(assignee_id__in=techs) | Q(holder_id__in=techs))
        .select_related("team", "requester", "assignee", "holder")
        .order_by("resolved_at", "closed_at", "pk")
    )
    result: dict[int, list[Touch]] = {pk: [] for pk in techs}
    for ticket in rows:
        for tech in techs:
            how = set(found.get((tech, ticket.pk), ()))
            if ticket.assignee_id == tech:
                how.add("assigned")
            if ticket.holder_id == tech:
                how.add("held")
            if len(how) > 1:
                # A first reply opens the ticket, a resolution sets its fields: "changed" says
                # something only when it is all the tech did.
                how.discard(EventKind.CHANGED)
            if how:
                result[tech].append(Touch(ticket, [WAYS[k] for k in WAYS if k in how]))
    return result


def touched_ever(*, tech_ids: Iterable[int], ticket: Ticket) -> bool:
    return any(touches(tech_ids=tech_ids, tickets=Ticket.objects.filter(pk=ticket.pk)).values())


# --- Pairings --------------------------------------------------------------------------------


def pairing_list(*, active_only: bool = True) -> QuerySet[Pairing]:
    qs = Pairing.objects.select_related("team", "sponsor").prefetch_related("techs")
    return qs.filter(is_active=True) if active_only else qs


def sponsorships_for(user: User) -> QuerySet[Pairing]:
    """The active pairings the user sponsors (for the reviews hub)."""
    if not user.is_authenticated:
        return Pairing.objects.none()
    return pairing_list().filter(sponsor=user)


def pairings_reviewed_by(user: User) -> QuerySet[Pairing]:
    """The active pairings whose week the user reviews: those they sponsor, every one of the
    teams they lead, every one for admins."""
    if not user.is_authenticated:
        return Pairing.objects.none()
    if is_admin(user):
        return pairing_list()
    return pairing_list().filter(Q(sponsor=user) | Q(team__in=user.led_team_ids))


def pairings_for_lead(user: User) -> QuerySet[Pairing]:
    """Every pairing (ended ones too) of the teams the user leads; all for admins."""
    qs = pairing_list(active_only=False).order_by("team__name", "-is_active", "sponsor__full_name")
    return qs if is_admin(user) else qs.filter(team__in=user.led_team_ids)


def may_review(user: User) -> bool:
    """Who has a sponsor's week page at all: sponsors, leads and admins."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_admin(user) or user.is_lead or sponsorships_for(user).exists()


def sponsors_of(tech: User) -> list[Pairing]:
    """The tech's active pairings, with their sponsor and team (not the other techs)."""
    return list(
        Pairing.objects.filter(is_active=True, techs=tech).select_related("sponsor", "team")
    )


# --- The sponsor's week ----------------------------------------------------------------------


@dataclass
class Reviewed:
    """One ticket of a tech's week, as the sponsor sees it. ``can_open``: the reader may open
    the ticket's page; ``can_kudos``: may mark its replies as kudos."""

    touch: Touch
    entry: ReviewEntry | None
    replies: list[Comment]
    can_open: bool = False
    can_kudos: bool = False

    @property
    def ticket(self) -> Ticket:
        return self.touch.ticket

    @property
    def said(self) -> bool:
        """Whether the tech wrote their summary or said they passed it on."""
        return bool(self.entry and (self.entry.summary or self.entry.passed_on is not None))

    @property
    def passed_on(self) -> bool:
        """In the "passed it on" bucket: the tech says so, or (until they say) the history
        suggests it."""
        if self.entry and self.entry.passed_on is not None:
            return self.entry.passed_on
        return self.touch.passed_on_suggested


@dataclass
class TechWeek:
    tech: User
    items: list = field(default_factory=list)

    @property
    def worked(self) -> list:
        return [item for item in self.items if not item.passed_on]

    @property
    def passed(self) -> list:
        return [item for item in self.items if item.passed_on]

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.items if not item.said)


@dataclass
class PairingWeek:
    pairing: Pairing
    techs: list[TechWeek]


def review_week(*, user: User, week: datetime.date) -> list[PairingWeek]:
    """The pairings the user reviews, each tech with the tickets they touched that closed in
    the week, their entry (summary, coaching note) and the requester's public replies (with
    whether each is kudos already). Seven queries, however many pairings and tickets."""
    pairings = list(pairings_reviewed_by(user))
    tech_ids = {tech.pk for pairing in pairings for tech in pairing.techs.all()}
    touched = touched_in_week(tech_ids=tech_ids, week=week)
    entries = {
        (entry.tech_id, entry.ticket_id): entry
        for entry in ReviewEntry.objects.filter(week=week, tech_id__in=tech_ids).select_related(
            "coached_by"
        )
    }
    ticket_ids = {t.ticket.pk for items in touched.values() for t in items}
    replies = defaultdict(list)
    for comment in (
        Comment.objects.filter(
            ticket_id__in=ticket_ids, is_internal=False, author_id=F("ticket__requester_id")
        )
        .annotate(is_kudos=Exists(Kudos.objects.filter(comment_id=OuterRef("pk"))))
        .order_by("created_at", "id")
    ):
        replies[comment.ticket_id].append(comment)
    admin, led = is_admin(user), user.led_team_ids
    weeks = []
    for pairing in pairings:
        techs = []
        for tech in pairing.techs.all():
            items = [
                Reviewed(
                    t,
                    entries.get((tech.pk, t.ticket.pk)),
                    replies[t.ticket.pk],
                    can_open=can_work(user, t.ticket),
                    # as services.may_mark_kudos decides, without a query per ticket
                    can_kudos=admin or pairing.sponsor_id == user.pk or t.ticket.team_id in led,
                )
                for t in touched.get(tech.pk, [])
            ]
            techs.append(TechWeek(tech, items))
        weeks.append(PairingWeek(pairing, techs))
    return weeks


# --- The tech's week -------------------------------------------------------------------------


@dataclass
class MyItem:
    """One ticket of the tech's own week: what they said, and whether their sponsor suggests
    an article. Never the coaching note: it is not even read."""

    touch: Touch
    summary: str = ""
    passed_on: bool | None = None
    suggest_article: bool = False
    can_open: bool = False

    @property
    def ticket(self) -> Ticket:
        return self.touch.ticket

    @property
    def passed_on_checked(self) -> bool:
        """The box as the form shows it: the tech's word, else the history's suggestion."""
        return self.touch.passed_on_suggested if self.passed_on is None else self.passed_on


def my_week(*, tech: User, week: datetime.date) -> list[MyItem]:
    touched = touched_in_week(tech_ids=[tech.pk], week=week).get(tech.pk, [])
    said = {
        row["ticket_id"]: row
        for row in ReviewEntry.objects.filter(week=week, tech=tech).values(
            "ticket_id", "summary", "passed_on", "suggest_article"
        )
    }
    items = []
    for touch in touched:
        row = said.get(touch.ticket.pk, {})
        items.append(
            MyItem(
                touch,
                summary=row.get("summary", ""),
                passed_on=row.get("passed_on"),
                suggest_article=row.get("suggest_article", False),
                can_open=can_work(tech, touch.ticket),
            )
        )
    return items


def my_week_count(user: User, week: datetime.date | None = None) -> int:
    """How many of the tickets the user touched last week still wait for their one-line
    summary (for the reviews hub); 0 for people nobody mentors."""
    if not user.is_authenticated or not Pairing.objects.filter(is_active=True, techs=user).exists():
        return 0
    return sum(1 for item in my_week(tech=user, week=week or last_week()) if not _said(item))


def review_week_count(user: User, week: datetime.date | None = None) -> int:
    """How many tickets the user's techs touched last week (for the reviews hub)."""
    tech_ids = {t.pk for p in sponsorships_for(user) for t in p.techs.all()}
    touched = touched_in_week(tech_ids=tech_ids, week=week or last_week())
    return sum(len(items) for items in touched.values())


def _said(item: MyItem) -> bool:
    return bool(item.summary) or item.passed_on is not None


# --- The digest ------------------------------------------------------------------------------


@dataclass
class Digest:
    sponsor: User
    techs: list[TechWeek]

    @property
    def ticket_count(self) -> int:
        return sum(len(t.items) for t in self.techs)


def digests_for_week(week: datetime.date) -> list[Digest]:
    """One digest per sponsor of an active pairing: each of their techs with the tickets they
    touched that closed in ``week`` and their summary. Five queries in all."""
    pairings = list(
        pairing_list().filter(sponsor__is_active=True).order_by("sponsor_id", "team__name")
    )
    tech_ids = {tech.pk for p in pairings for tech in p.techs.all()}
    touched = touched_in_week(tech_ids=tech_ids, week=week)
    entries = {
        (e.tech_id, e.ticket_id): e
        for e in ReviewEntry.objects.filter(week=week, tech_id__in=tech_ids).only(
            "tech_id", "ticket_id", "summary", "passed_on"
        )
    }
    digests: dict[int, Digest] = {}
    for pairing in pairings:
        digest = digests.setdefault(pairing.sponsor_id, Digest(pairing.sponsor, []))
        for tech in pairing.techs.all():
            if any(t.tech.pk == tech.pk for t in digest.techs):
                continue  # one sponsor, one tech, two teams: listed once
            items = [
                Reviewed(t, entries.get((tech.pk, t.ticket.pk)), [])
                for t in touched.get(tech.pk, [])
            ]
            digest.techs.append(TechWeek(tech, items))
    return list(digests.values())
