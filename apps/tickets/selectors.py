"""Reads of tickets, shaped for the page that shows them (a fixed number of queries)."""

import operator
from functools import reduce

from django.core.paginator import Page
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.accounts.models import Team, User

from . import extensions
from .models import Attachment, Comment, Ticket, TicketEvent, reference_to_pk
from .paging import CappedPaginator, ticket_count_capped, ticket_ids_page
from .permissions import (
    can_work,
    colleagues_tickets_q,
    shares_with_colleagues,
    visible_tickets_q,
)
from .rows import with_people_and_lookups

QUEUE_PEOPLE = ("requester", "assignee")


def ticket_list_visible(*, user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(visible_tickets_q(user))


def ticket_visible_parts(*, user: User) -> list[Q]:
    """``visible_tickets_q`` as parts each read by an index in the lists' order (they may
    overlap: a ticket in my team that I requested): for the API's pages."""
    if user.is_superuser:
        return []  # every ticket: one read of the whole list's index
    parts = [Q(requester=user)]
    if shares_with_colleagues(user):
        parts.append(colleagues_tickets_q(user))
    if user.is_agent:
        parts += [Q(team_id=pk) for pk in sorted(user.team_ids)]
        parts += [Q(assignee=user), Q(holder=user)]
    return parts


def ticket_list_for_queue(*, user: User) -> QuerySet[Ticket]:
    """The agent queue as one queryset, every row with what the queue shows (for a few rows:
    the queue's pages read through ``ticket_queue_page``)."""
    scope = ticket_queue_scope(user=user).select_related(*QUEUE_PEOPLE, "team", "category")
    return with_queue_columns(scope).order_by("-updated_at", "-id")


def ticket_queue_scope(*, user: User) -> QuerySet[Ticket]:
    """The tickets of the user's teams (every team for admins), plus any assigned to them in
    other teams: what the queue's filters narrow. Nothing joined or annotated — a page's rows
    get that once they are known (``ticket_queue_page``)."""
    if user.is_superuser:
        return Ticket.objects.order_by("-updated_at", "-id")
    scope = Q(team__in=user.team_ids)
    if _assigned_outside_teams(user):
        scope |= Q(assignee=user)
    return Ticket.objects.filter(scope).order_by("-updated_at", "-id")


def with_queue_columns(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What the feature apps' queue columns annotate, in the same query (the people and
    lookups a row names come after: ``with_people_and_lookups``)."""
    for column in extensions.queue_columns():
        queryset = column.annotate(queryset)
    return queryset


def _assigned_outside_teams(user: User) -> bool:
    """Whether any ticket is assigned to the user outside their teams: read from the
    (assignee, team) index. Only then does the scope need its OR, which would stop
    PostgreSQL from reading a team's queue in index order."""
    if "assigned_outside" not in user.__dict__:
        user.__dict__["assigned_outside"] = _any_assigned_in(user, _outside_teams(user.team_ids))
    return user.__dict__["assigned_outside"]


def _any_assigned_in(user: User, ranges: list[Q]) -> bool:
    """One query, a LIMIT 1 read per range, added up: ``NOT team IN (…)`` (or the ranges
    ORed) was a filter over every ticket assigned to the person, 8 ms for an agent with 60,000
    behind them."""
    mine = Ticket.objects.filter(assignee=user)
    if not connection.features.supports_slicing_ordering_in_compound:
        return mine.filter(reduce(operator.or_, ranges)).exists()
    parts = [mine.filter(r).order_by().values("pk")[:1] for r in ranges]
    return bool(list(parts[0].union(*parts[1:], all=True)))


def _outside_teams(team_ids) -> list[Q]:
    """Tickets of no team or of a team not in ``team_ids``, as ranges between those ids: each
    one seek on the (assignee, team) index."""
    ranges = [Q(team__isnull=True)]
    lower = None
    for pk in sorted(team_ids):
        ranges.append(Q(team__lt=pk) if lower is None else Q(team__gt=lower, team__lt=pk))
        lower = pk
    ranges.append(Q(team__gt=lower) if lower is not None else Q(team__isnull=False))
    return ranges


def _queue_parts(user: User) -> list[Q]:
    """The queue's scope as disjoint parts, each read in order from one team's index."""
    if user.is_superuser:
        teams = list(Team.objects.order_by("pk").values_list("pk", flat=True))
        return [Q(team_id=pk) for pk in teams] + [Q(team__isnull=True)]
    parts = [Q(team_id=pk) for pk in sorted(user.team_ids)]
    if _assigned_outside_teams(user):
        parts.append(Q(assignee=user) & reduce(operator.or_, _outside_teams(user.team_ids)))
    return parts


def ticket_queue_page(
    *, user: User, queryset: QuerySet[Ticket], number, per_page: int, cap: int | None = None
) -> Page:
    """One page of the (filtered, sorted) queue scope: the page's ids read by index, team by
    team, then just those rows with their columns; the count stops at COUNT_CAP ("1,000+").
    The queries are the same few for 25 rows or 100, for a hundred tickets or a million."""
    parts = _queue_parts(user)

    def rows(offset: int, limit: int) -> list[Ticket]:
        ids = ticket_ids_page(queryset=queryset, branches=parts, offset=offset, limit=limit)
        found = {t.pk: t for t in with_queue_columns(Ticket.objects.filter(pk__in=ids))}
        with_people_and_lookups(list(found.values()), people=QUEUE_PEOPLE)
        return [found[pk] for pk in ids if pk in found]

    def count(cap: int) -> int:
        return ticket_count_capped(queryset=queryset, branches=parts, cap=cap)

    return CappedPaginator(queryset, per_page, cap=cap, fetch=rows, count=count).get_page(number)


def ticket_list_for_requester(*, user: User, organisation: bool = False) -> QuerySet[Ticket]:
    """The portal list: the user's own requests, or with ``organisation`` those of everyone in
    their organisation when it shares them (just their own when it does not)."""
    scope = Q(requester=user)
    if organisation:
        scope |= colleagues_tickets_q(user)
    return (
        Ticket.objects.filter(scope)
        .select_related("category", "team", "requester")
        .order_by("-updated_at", "-id")
    )


def ticket_get(*, user: User, key: str | int) -> Ticket:
    """A ticket by id or tracking number, or 404 — also when it exists but the user may not
    see it, so nobody learns which tracking numbers are taken."""
    pk = key if isinstance(key, int) else reference_to_pk(str(key))
    ticket = (
        (
            Ticket.objects.filter(visible_tickets_q(user), pk=pk)
            .select_related("requester", "assignee", "team", "category", "location", "product")
            .prefetch_related("tags")
            .first()
        )
        if pk
        else None
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def comment_list_for(*, user: User, ticket: Ticket) -> QuerySet[Comment]:
    """The thread as this user may read it: requesters never get internal notes."""
    qs = ticket.comments.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not can_work(user, ticket):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def attachment_list_for(*, user: User, ticket: Ticket) -> QuerySet[Attachment]:
    qs = ticket.attachments.select_related("comment", "uploaded_by")
    if not can_work(user, ticket):
        qs = qs.filter(Q(comment__isnull=True) | Q(comment__is_internal=False))
    return qs


def attachment_get(*, user: User, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("ticket", "comment").filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    ticket_get(user=user, key=attachment.ticket_id)  # 404 unless the ticket is visible
    if attachment.is_internal and not can_work(user, attachment.ticket):
        raise Http404("No such file.")
    return attachment


def event_list_for(*, ticket: Ticket) -> list[TicketEvent]:
    """The history, with the people each notification went to named (one query for all)."""
    events = list(ticket.events.select_related("actor").order_by("created_at", "id"))
    ids = {pk for event in events for pk in event.data.get("user_ids", [])}
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=ids)} if ids else {}
    for event in events:
        event.recipients = [names[pk] for pk in event.data.get("user_ids", []) if pk in names]
    return events


def agent_choices_for(*, ticket: Ticket, team_id: int | None = None) -> QuerySet[User]:
    """The people a ticket may be assigned to or held by: active agents of its team (of
    ``team_id`` when the same change moves it there), plus whoever is its assignee or holder
    now. The properties form and the holder dialog offer exactly these, and the services
    accept no one else (the web and the API alike)."""
    team_id = ticket.team_id if team_id is None else team_id  # 0: moved out of every team
    people = Q(team_memberships__team=team_id, is_active=True) if team_id else Q(pk__in=[])
    for pk in (ticket.assignee_id, ticket.holder_id):
        if pk:
            people |= Q(pk=pk)
    return User.objects.filter(people).distinct().order_by("full_name", "email")
