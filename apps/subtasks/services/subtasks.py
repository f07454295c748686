"""Subtasks themselves: create, change, remove, move through their statuses, comment.

Every change to a subtask is recorded on its ticket's history (``subtask_*`` events) so
"who closed the data fix?" has an answer next to everything else that happened to the ticket.
"""

import datetime
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.accounts.services import user_get_or_create_by_email
from apps.core.durations import minutes_from_text
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.core.text import long_text, single_line
from apps.tickets.events import event_record, notify, ticket_transaction
from apps.tickets.models import Status as TicketStatus
from apps.tickets.models import Ticket
from apps.tickets.permissions import can_work
from apps.tickets.services import attachment_content_type, attachments_validate
from apps.tickets.tiers.services import notification_send
from apps.tickets.timekeeping.services import time_entry_add

from .. import events
from ..links import is_assignee
from ..models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Status,
    Subtask,
    SubtaskAttachment,
    SubtaskComment,
    SubtaskKind,
)
from ..notifications import subtask_answer_mail_queue, subtask_link_mail_queue

TITLE_MAX = 200  # Subtask.title's max_length
NO_TITLE = "Say in a few words what needs doing."

READY_MESSAGE = "All work done — ready to resolve."


def _event(subtask: Subtask, payload_type: type, actor, **data) -> None:
    payload = payload_type(subtask_id=subtask.pk, title=subtask.title, **data)
    event_record(ticket=subtask.ticket, payload=payload, actor=actor)


def _require_agent(actor: User | None, ticket: Ticket) -> None:
    """People act only on tickets they work; rules and timers (actor None) always may."""
    if actor is not None and not can_work(actor, ticket):
        raise ApplicationError(
            "Only agents of this ticket can manage its subtasks.", code="forbidden"
        )


def _assignee(
    *, user: User | None, team: Team | None, email: str
) -> tuple[User | None, Team | None]:
    email = (email or "").strip()
    chosen = sum(bool(x) for x in (user, team, email))
    if chosen > 1:
        raise ApplicationError(
            "Assign the subtask to one person, team or e-mail address.", field="assignee"
        )
    if email:
        if "@" not in email or " " in email:
            raise ApplicationError(f"“{email}” is not an e-mail address.", field="assignee_email")
        user, _ = user_get_or_create_by_email(email=email)
    if user is not None and not user.is_active:
        raise ApplicationError(f"{user} no longer has an active account.", field="assignee")
    return user, team


def _kind(kind) -> SubtaskKind:
    if isinstance(kind, SubtaskKind):
        return kind
    found = SubtaskKind.objects.filter(pk=as_id(kind)).first() if is_id(kind) else None
    if found is None:
        raise ApplicationError("Choose what kind of work this is.", field="kind")
    return found


def _dependencies(subtask: Subtask, depends_on: Iterable[Subtask]) -> list[Subtask]:
    """Prerequisites must be on the same ticket and must not lead back to this subtask."""
    deps = list(depends_on)
    for dep in deps:
        if dep.ticket_id != subtask.ticket_id:
            raise ApplicationError(f"“{dep}” belongs to another ticket.", field="depends_on")
        if dep.pk == subtask.pk:
            raise ApplicationError("A subtask cannot depend on itself.", field="depends_on")
    if subtask.pk is None:
        return deps  # a new subtask has no dependents yet, so it cannot close a cycle
    edges: dict[int, set[int]] = {}
    for src, dst in Subtask.depends_on.through.objects.filter(
        from_subtask__ticket_id=subtask.ticket_id
    ).values_list("from_subtask_id", "to_subtask_id"):
        edges.setdefault(src, set()).add(dst)
    edges[subtask.pk] = {d.pk for d in deps}
    titles = dict(Subtask.objects.filter(ticket_id=subtask.ticket_id).values_list("pk", "title"))
    for dep in deps:
        path = _path(edges, dep.pk, subtask.pk)
        if path:
            chain = " → ".join(titles.get(pk, "?") for pk in [subtask.pk, *path])
            raise ApplicationError(
                f"That would make a circle of dependencies: {chain}.", field="depends_on"
            )
    return deps


def _path(edges: dict[int, set[int]], start: int, goal: int) -> list[int]:
    """Depth-first search for a dependency path start → … → goal (the ids on it)."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*path, nxt]) for nxt in edges.get(node, ()))
    return []


def _shared_comments(ticket: Ticket, comment_ids: Iterable[int]) -> list:
    ids = {int(c) for c in comment_ids}
    comments = list(ticket.comments.filter(pk__in=ids))
    if len(comments) != len(ids):
        raise ApplicationError(
            "Only this ticket's messages can be shared.", field="shared_comments"
        )
    return comments


def _mail_link_after_commit(subtask: Subtask) -> None:
    """The assignee's link e-mail, stored in this transaction; the outbox sends it after commit."""
    if subtask.assignee_user_id or subtask.assignee_team_id:
        subtask_link_mail_queue(subtask=subtask)


@ticket_transaction()
def subtask_create(
    *,
    ticket: Ticket,
    actor: User | None,
    title: str,
    kind: SubtaskKind | int,
    instructions: str = "",
    assignee_user: User | None = None,
    assignee_team: Team | None = None,
    assignee_email: str = "",
    due_date: datetime.date | None = None,
    blocking: bool = True,
    depends_on: Iterable[Subtask] = (),
    share_description: bool = True,
    shared_comment_ids: Iterable[int] = (),
    template_item=None,
    source: str = "",
) -> Subtask:
    """Split off a piece of work; its assignee gets an e-mail with their link after commit."""
    _require_agent(actor, ticket)
    title = single_line(title, "title", TITLE_MAX, message=NO_TITLE)
    instructions = long_text(instructions, "instructions", required=False)
    user, team = _assignee(user=assignee_user, team=assignee_team, email=assignee_email)
    subtask = Subtask(
        ticket=ticket,
        title=title,
        kind=_kind(kind),
        instructions=instructions,
        assignee_user=user,
        assignee_team=team,
        due_date=due_date,
        blocking=blocking,
        share_description=share_description,
        template_item=template_item,
        created_by=actor,
    )
    deps = _dependencies(subtask, depends_on)
    comments = _shared_comments(ticket, shared_comment_ids)
    if user or team:
        # Claimed by its own INSERT: nobody else can see the new row to mail it too.
        subtask.link_mailed_at = timezone.now()
    subtask.save()
    if deps:  # a new subtask has none to replace: add, and skip the query when empty
        subtask.depends_on.add(*deps)
    if comments:
        subtask.shared_comments.add(*comments)
    _event(
        subtask,
        events.Added,
        actor,
        assignee=str(subtask.assignee or ""),
        blocking=blocking,
        **({"source": source} if source else {}),
    )
    if user or team:
        subtask_link_mail_queue(subtask=subtask, claimed=True)
    return subtask


UPDATABLE = {
    "title",
    "kind",
    "instructions",
    "due_date",
    "blocking",
    "depends_on",
    "share_description",
    "shared_comment_ids",
    "assignee_user",
    "assignee_team",
    "assignee_email",
}


@ticket_transaction()
def subtask_update(*, subtask: Subtask, actor: User | None, data: dict) -> Subtask:
    """Change a subtask. A new assignee gets a fresh link; the old one's links stop working."""
    _require_agent(actor, subtask.ticket)
    unknown = set(data) - UPDATABLE
    if unknown:
        name = sorted(unknown)[0]
        raise ApplicationError(f"“{name}” cannot be changed.", field=name)
    subtask = Subtask.objects.select_for_update().get(pk=subtask.pk)
    if "title" in data:
        subtask.title = single_line(data["title"], "title", TITLE_MAX, message=NO_TITLE)
    if "instructions" in data:
        data = {
            **data,
            "instructions": long_text(data["instructions"], "instructions", required=False),
        }
    if "kind" in data:
        subtask.kind = _kind(data["kind"])
    for name in ("instructions", "due_date", "blocking", "share_description"):
        if name in data:
            setattr(subtask, name, data[name])
    reassigned = {"assignee_user", "assignee_team", "assignee_email"} & set(data)
    if reassigned:
        user, team = _assignee(
            user=data.get("assignee_user"),
            team=data.get("assignee_team"),
            email=data.get("assignee_email", ""),
        )
        if (user, team) != (subtask.assignee_user, subtask.assignee_team):
            subtask.assignee_user, subtask.assignee_team = user, team
            subtask.link_version += 1
            subtask.link_mailed_at = subtask.reminded_at = subtask.manager_notified_at = None
        else:
            reassigned = set()
    if "depends_on" in data:
        subtask.depends_on.set(_dependencies(subtask, data["depends_on"]))
    if "shared_comment_ids" in data:
        subtask.shared_comments.set(_shared_comments(subtask.ticket, data["shared_comment_ids"]))
    subtask.updated_at = timezone.now()
    subtask.save()
    _event(subtask, events.Changed, actor, fields=sorted(data))
    if reassigned:
        _mail_link_after_commit(subtask)
    return subtask


@ticket_transaction()
def subtask_delete(*, subtask: Subtask, actor: User) -> None:
    _require_agent(actor, subtask.ticket)
    _event(subtask, events.Removed, actor)
    subtask.delete()


def _may_transition(actor: User | None, subtask: Subtask) -> bool:
    return (
        actor is None or is_assignee(user=actor, subtask=subtask) or can_work(actor, subtask.ticket)
    )


@ticket_transaction()
def subtask_transition(
    *,
    subtask: Subtask,
    actor: User | None,
    status: str,
    note: str = "",
    time_spent: str | int | None = None,
) -> bool:
    """Move a subtask to in progress, done or won't do. Returns whether anything changed.
    ``time_spent`` ("25m", "1h30"): what the task took, logged on its ticket when it finishes.

    The conditional update is what makes a double click or a second tab harmless: only a
    subtask still open can be finished, so the second request updates no row and changes
    nothing. The ticket row is locked first so two last subtasks finishing at once still
    produce exactly one "ready to resolve" notice.
    """
    if not _may_transition(actor, subtask):
        raise ApplicationError("This task is not yours.", code="forbidden")
    if status not in (Status.IN_PROGRESS, *FINISHED_STATUSES):
        raise ApplicationError(f"“{status}” is not a step a task can take.", field="status")
    note = long_text(note, "note", required=False)
    if status == Status.WONT_DO and not note:
        raise ApplicationError("Say why this will not be done.", field="note")
    ticket = Ticket.objects.select_for_update().get(pk=subtask.ticket_id)
    if status == Status.DONE:
        waiting = subtask.depends_on.filter(status__in=OPEN_STATUSES).values_list(
            "title", flat=True
        )
        if waiting:
            raise ApplicationError(
                "First finish: " + ", ".join(f"“{t}”" for t in waiting) + ".", field="status"
            )
    now = timezone.now()
    fields = {"status": status, "updated_at": now}
    if status in FINISHED_STATUSES:
        fields.update(completed_at=now, completed_by=actor, result_note=note)
        allowed_from = OPEN_STATUSES
    else:
        allowed_from = (Status.OPEN,)
    minutes = minutes_from_text(str(time_spent or ""))
    changed = Subtask.objects.filter(pk=subtask.pk, status__in=allowed_from).update(**fields)
    if not changed:
        return False
    subtask.refresh_from_db()
    subtask.ticket = ticket
    if minutes and status in FINISHED_STATUSES and actor is not None:
        time_entry_add(ticket=ticket, person=actor, spent=minutes, subtask_id=subtask.pk)
    _event(subtask, events.BY_STATUS[status], actor, note=note)
    if status in FINISHED_STATUSES and subtask.blocking:
        _notify_if_all_done(ticket=ticket, actor=actor)
    return True


def _notify_if_all_done(*, ticket: Ticket, actor: User | None) -> None:
    """Tell whoever holds the ticket that nothing blocks resolving it any more.

    The "notified" event is what the mail app turns into e-mails.
    """
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return  # subtasks cancelled as the ticket is resolved: nothing is left to resolve
    if Subtask.objects.filter(ticket=ticket, blocking=True, status__in=OPEN_STATUSES).exists():
        return
    holder_id = getattr(ticket, "holder_id", None)
    recipients = {pk for pk in (ticket.assignee_id, holder_id) if pk}
    if not recipients:
        recipients = set(
            Subtask.objects.filter(ticket=ticket, created_by__isnull=False).values_list(
                "created_by_id", flat=True
            )
        )
    notify(
        ticket=ticket, user_ids=recipients, message=READY_MESSAGE, source="subtasks", actor=actor
    )


@ticket_transaction()
def subtask_comment_add(
    *, subtask: Subtask, author: User, body: str, files: Iterable[UploadedFile] = ()
) -> SubtaskComment | None:
    """A message and/or files on the subtask's own thread, between its assignee and support.

    The history records it with its text (the first MESSAGE_CHARS). The assignee's message
    reaches support (the ticket's assignee, else its holder, else whoever added the subtask:
    in-app and by e-mail); support's answer reaches the assignee by e-mail, with their link.
    """
    if not _may_transition(author, subtask):
        raise ApplicationError("This task is not yours.", code="forbidden")
    body = long_text(body, "body", required=False)
    files = attachments_validate(files)
    if not body and not files:
        raise ApplicationError("Write a message or choose a file.", field="body")
    comment = (
        SubtaskComment.objects.create(subtask=subtask, author=author, body=body) if body else None
    )
    stored = [
        SubtaskAttachment.objects.create(
            subtask=subtask,
            file=upload,
            filename=(name := upload.name.rsplit("/", 1)[-1][:255]),
            content_type=attachment_content_type(name),
            size=upload.size,
            uploaded_by=author,
        )
        for upload in files
    ]
    filenames = [a.filename for a in stored]
    _event(
        subtask,
        events.Commented,
        author,
        files=len(stored),
        message=body[: events.MESSAGE_CHARS],
        filenames=filenames,
        comment_id=comment.pk if comment else None,
    )
    if is_assignee(user=author, subtask=subtask):
        _tell_support(subtask=subtask, author=author, body=body, filenames=filenames)
    else:
        key = f"c{comment.pk}" if comment else f"f{stored[0].pk}"
        subtask_answer_mail_queue(
            subtask=subtask, author=author, body=body, filenames=filenames, key=key
        )
    return comment


def _tell_support(*, subtask: Subtask, author: User, body: str, filenames: list[str]) -> None:
    """Whoever answers for the ticket hears of the assignee's message: its assignee, else its
    holder, else the person who added the subtask — never the author themself."""
    ticket = subtask.ticket
    recipient = next(
        (
            person
            for person in (ticket.assignee, ticket.holder, subtask.created_by)
            if person is not None and person.is_active and person.pk != author.pk
        ),
        None,
    )
    if recipient is None:
        return
    message = f"{author} wrote on the subtask “{subtask.title}”"
    if body:
        message += f": “{body[: events.MESSAGE_CHARS]}”"
    if filenames:
        message += f" (files: {', '.join(filenames)})"
    notification_send(
        ticket=ticket, users=[recipient], kind="subtask_commented", message=message, actor=author
    )
