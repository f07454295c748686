"""Reads of tickets, shaped for the page that shows them (a fixed number of queries)."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.accounts.models import User

from . import extensions
from .models import Attachment, Comment, Ticket, TicketEvent, reference_to_pk
from .permissions import can_work, colleagues_tickets_q, visible_tickets_q


def ticket_list_visible(*, user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(visible_tickets_q(user))


def ticket_list_for_queue(*, user: User) -> QuerySet[Ticket]:
    """The agent queue: tickets of the user's teams (every team for admins), with what each
    row shows loaded in the same query and any feature columns annotated."""
    qs = Ticket.objects.all() if user.is_superuser else _queue_scope(user)
    qs = qs.select_related("requester", "assignee", "team", "category")
    for column in extensions.queue_columns():
        qs = column.annotate(qs)
    return qs.order_by("-updated_at", "-id")


def _queue_scope(user: User) -> QuerySet[Ticket]:
    """The user's teams' tickets, plus any assigned to them in other teams.

    The OR is added only when such tickets exist: it stops PostgreSQL from reading the queue
    in index order, which costs a sort of every team ticket on each page.
    """
    scope = Q(team__in=user.team_ids)
    if Ticket.objects.filter(assignee=user).exclude(team__in=user.team_ids).exists():
        scope |= Q(assignee=user)
    return Ticket.objects.filter(scope)


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
