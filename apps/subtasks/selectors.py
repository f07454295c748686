"""Reads of subtasks, shaped for the page or endpoint that shows them (fixed query counts)."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.models import Comment, Ticket
from apps.tickets.permissions import can_work

from .links import is_assignee
from .models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    ResolveOverride,
    Subtask,
    SubtaskAttachment,
    SubtaskComment,
    SubtaskTemplate,
)


def _shaped(qs: QuerySet[Subtask]) -> QuerySet[Subtask]:
    return qs.select_related("kind", "assignee_user", "assignee_team", "ticket").prefetch_related(
        Prefetch("depends_on", queryset=Subtask.objects.only("id", "title", "status")),
        "shared_comments",
    )


# A subtask's thread, read with a list of subtasks: two queries whatever the number of rows.
THREAD_PREFETCH = (
    Prefetch("comments", queryset=SubtaskComment.objects.select_related("author")),
    Prefetch("attachments", queryset=SubtaskAttachment.objects.select_related("uploaded_by")),
)


def subtask_list_for_ticket(*, ticket: Ticket) -> QuerySet[Subtask]:
    """The ticket's subtasks with their threads (messages and files), for the panel and API."""
    return (
        _shaped(Subtask.objects.filter(ticket=ticket))
        .prefetch_related(*THREAD_PREFETCH)
        .order_by("created_at", "id")
    )


def thread_entries(subtask: Subtask, comments=None, attachments=None) -> list:
    """Messages and files of one subtask's thread as one list, oldest first (by default from the
    rows ``subtask_list_for_ticket`` prefetched). Each entry has ``author``, ``created_at``, and
    ``body`` or ``filename``; ``by_support`` tells support's answers from the assignee's."""
    comments = subtask.comments.all() if comments is None else comments
    attachments = subtask.attachments.all() if attachments is None else attachments
    entries = [*comments, *attachments]
    for entry in entries:
        if isinstance(entry, SubtaskAttachment):
            entry.author = entry.uploaded_by
        entry.by_support = _by_support(subtask, entry.author)
    return sorted(entries, key=lambda e: (e.created_at, isinstance(e, SubtaskAttachment), e.pk))


def _by_support(subtask: Subtask, author: User) -> bool:
    # Only a label: for a team's task, the agent who added it stands for support (reading every
    # member would cost a query per subtask).
    if subtask.assignee_user_id:
        return author.pk != subtask.assignee_user_id
    return author.pk == subtask.created_by_id


def assigned_to_q(user: User) -> Q:
    q = Q(assignee_user=user)
    if user.team_ids:
        q |= Q(assignee_team__in=user.team_ids)
    return q


def subtask_list_for_assignee(*, user: User, open_only: bool = True) -> QuerySet[Subtask]:
    """Everything the person is asked to do, across tickets, soonest due first."""
    qs = Subtask.objects.filter(assigned_to_q(user))
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return _shaped(qs).order_by(
        Coalesce("due_date", timezone.localdate() + timezone.timedelta(days=3650)), "id"
    )


def subtask_get_for_assignee(*, user: User, pk: int) -> Subtask:
    """A task its assignee may open; 404 for anyone else, so ids reveal nothing."""
    subtask = _shaped(Subtask.objects.filter(pk=pk)).first()
    if subtask is None or not is_assignee(user=user, subtask=subtask):
        raise Http404("No such task.")
    return subtask


def subtask_get_for_agent(*, user: User, pk: int) -> Subtask:
    subtask = _shaped(Subtask.objects.filter(pk=pk)).first()
    if subtask is None or not can_work(user, subtask.ticket):
        raise Http404("No such subtask.")
    return subtask


def subtask_get_for_reader(*, user: User, pk: int) -> tuple[Subtask, bool]:
    """A subtask for its ticket's agents (True) or its assignee (False); 404 for anyone else."""
    subtask = _shaped(Subtask.objects.filter(pk=pk)).first()
    if subtask is not None and can_work(user, subtask.ticket):
        return subtask, True
    if subtask is not None and is_assignee(user=user, subtask=subtask):
        return subtask, False
    raise Http404("No such subtask.")


def shared_comments_for(*, subtask: Subtask) -> QuerySet[Comment]:
    """Only the messages the agent chose to share (internal notes only if chosen explicitly)."""
    return subtask.shared_comments.select_related("author").order_by("created_at", "id")


def thread_for(*, subtask: Subtask) -> tuple[QuerySet, QuerySet]:
    """This subtask's own thread, never another's (the collaborator's page reads only this)."""
    return (
        SubtaskComment.objects.filter(subtask=subtask).select_related("author"),
        SubtaskAttachment.objects.filter(subtask=subtask).select_related("uploaded_by"),
    )


def thread_of(*, subtask: Subtask) -> list:
    """This subtask's thread as one list, oldest first (see ``thread_entries``)."""
    comments, attachments = thread_for(subtask=subtask)
    return thread_entries(subtask, list(comments), list(attachments))


def attachment_get(*, user: User, pk: int) -> SubtaskAttachment:
    attachment = SubtaskAttachment.objects.select_related("subtask__ticket").filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    subtask = attachment.subtask
    if not (is_assignee(user=user, subtask=subtask) or can_work(user, subtask.ticket)):
        raise Http404("No such file.")
    return attachment


def overdue_list(*, user: User) -> QuerySet[Subtask]:
    """Overdue subtasks of the tickets of the teams ``user`` leads (every team for admins): the
    oldest promise first."""
    qs = Subtask.objects.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
    if not user.is_superuser:
        qs = qs.filter(ticket__team__in=user.led_team_ids)
    return _shaped(qs).select_related("ticket__team").order_by("due_date", "id")


def open_blockers(*, ticket: Ticket) -> list[Subtask]:
    """Open blocking subtasks not covered by a lead's override (given after they were added)."""
    qs = Subtask.objects.filter(ticket=ticket, blocking=True, status__in=OPEN_STATUSES)
    override = ResolveOverride.objects.filter(ticket=ticket).order_by("-created_at").first()
    if override is not None:
        qs = qs.filter(created_at__gt=override.created_at)
    return list(qs.select_related("assignee_user", "assignee_team").order_by("created_at", "id"))


def open_blockers_among(
    *, subtasks: list[Subtask], override: ResolveOverride | None
) -> list[Subtask]:
    """``open_blockers`` of subtasks already read (the ticket page's panel), without reading
    them again; ``override`` is the ticket's latest."""
    return [
        s
        for s in subtasks
        if s.blocking
        and s.status in OPEN_STATUSES
        and (override is None or s.created_at > override.created_at)
    ]


def latest_override(*, ticket: Ticket) -> ResolveOverride | None:
    return ResolveOverride.objects.filter(ticket=ticket).select_related("lead").first()


def template_list_active() -> QuerySet[SubtaskTemplate]:
    return SubtaskTemplate.objects.filter(is_active=True).annotate(item_count=Count("items"))


def _count(status_filter: Q | None = None) -> Coalesce:
    # A correlated subquery, not a join: joining subtasks into the queue would multiply the
    # rows other columns count (public replies), and still costs no per-row query.
    qs = Subtask.objects.filter(ticket=OuterRef("pk"))
    if status_filter is not None:
        qs = qs.filter(status_filter)
    counted = qs.order_by().values("ticket").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def annotate_progress(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What the queue's "Subtasks" column reads: n of m done."""
    return qs.annotate(
        subtasks_total=_count(), subtasks_done=_count(Q(status__in=FINISHED_STATUSES))
    )


def waiting_on_subtasks(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.filter(pk__in=Subtask.objects.filter(status__in=OPEN_STATUSES).values("ticket_id"))
