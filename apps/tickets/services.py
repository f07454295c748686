"""Writes to tickets. Every change goes through here: validated, recorded as an event, announced.

Views, the API, e-mail intake, routing rules and SLA timers all call these functions; none of
them saves a Ticket directly.
"""

import mimetypes
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.core import metrics
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.core.text import long_text, single_line

from . import extensions
from .custom_fields.services import custom_values_clean, custom_values_set
from .events import (
    STATUS_EVENTS,
    Attached,
    Created,
    FollowersAdded,
    NoteAdded,
    Replied,
    display,
    event_record,
    ticket_transaction,
)
from .models import (
    Attachment,
    Category,
    Channel,
    Comment,
    EventKind,
    Follower,
    Impact,
    Location,
    Priority,
    PriorityMatrixCell,
    Product,
    Resolution,
    Status,
    Tag,
    Ticket,
    Urgency,
)
from .permissions import can_reply_to_requester, can_work, is_follower, is_requester
from .selectors import agent_choices_for
from .timekeeping.services import time_entry_add, time_required

SUBJECT_MAX = 200  # Ticket.subject's max_length
TAG_MAX = 50  # Tag.name's max_length

# Fields an agent (or a rule) may change with ticket_update, and how each is compared. The tier
# only with ``allow_tier``: escalation, hand-back and the "set tier" rule action move it, never a
# plain edit (that would skip the target tier's checklist).
EDITABLE_FIELDS = (
    "subject",
    "status",
    "priority",
    "category",
    "location",
    "product",
    "team",
    "tier",
    "assignee",
    "tags",
    "resolution",
)


def _lookup(model, value, field, *, offered_only: bool = False):
    """The row ``value`` names (an id or the row). ``offered_only``: an id from outside (a form,
    the API) may name only an entry still offered, not a retired one."""
    if value is None or isinstance(value, model):
        return value
    obj = model.objects.filter(pk=as_id(value)).first() if is_id(value) else None
    if obj is None or (offered_only and not getattr(obj, "is_active", True)):
        raise ApplicationError(f"Unknown {field}: {value!r}.", field=field)
    return obj


def attachments_validate(
    files: Iterable[UploadedFile], *, field: str = "attachments"
) -> list[UploadedFile]:
    """Check count, size and type of uploads (tickets, subtasks and articles share the limits)."""
    files = list(files)
    if len(files) > settings.ATTACHMENT_MAX_PER_MESSAGE:
        raise ApplicationError(
            f"At most {settings.ATTACHMENT_MAX_PER_MESSAGE} files per message.", field=field
        )
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    for upload in files:
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise ApplicationError(
                f"“{upload.name}” is larger than the {limit_mb} MB limit.", field=field
            )
        if upload.size == 0:
            raise ApplicationError(f"“{upload.name}” is empty.", field=field)
        if attachment_content_type(upload.name) not in settings.ATTACHMENT_ALLOWED_TYPES:
            raise ApplicationError(
                f"“{upload.name}”: this type of file cannot be attached.", field=field
            )
    return files


def attachment_content_type(filename: str) -> str:
    """Judge a file by its name, never by the type the uploader's browser claims."""
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _store_attachments(*, ticket, comment, files, user) -> list[Attachment]:
    stored = []
    for upload in files:
        name = upload.name.rsplit("/", 1)[-1][:255]
        stored.append(
            Attachment.objects.create(
                ticket=ticket,
                comment=comment,
                file=upload,
                filename=name,
                content_type=attachment_content_type(name),
                size=upload.size,
                uploaded_by=user,
            )
        )
    return stored


@ticket_transaction()
def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    channel: str = Channel.WEB,
    category=None,
    location=None,
    product=None,
    priority: int = Priority.NORMAL,
    attachments: Iterable[UploadedFile] = (),
    actor: User | None = None,
    intake_address: str = "",
    impact: int | None = None,
    urgency: int | None = None,
    custom: dict | None = None,
) -> Ticket:
    """Open a ticket. Routing (if installed) reacts to the "created" event and places it.
    ``custom``: answers to the admin's custom fields, by ``cf_<key>`` (checked against the
    fields asked for the ticket's category).
    ``intake_address``: the mailbox an e-mailed ticket was sent to (rules may look at it).
    ``impact`` and ``urgency`` (the requester's answers) set the priority by the admin's
    matrix when both are given and a cell says so; ``priority`` otherwise."""
    subject = single_line(
        subject, "subject", SUBJECT_MAX, message="Say in a few words what the problem is."
    )
    description = long_text(description, "description", message="Describe the problem.")
    if channel not in Channel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.", field="channel")
    if int(priority) not in Priority.values:
        raise ApplicationError(f"{priority!r} is not a valid priority.", field="priority")
    impact, urgency = _answer(impact, Impact, "impact"), _answer(urgency, Urgency, "urgency")
    priority = priority_from_matrix(impact=impact, urgency=urgency) or int(priority)
    files = attachments_validate(attachments)
    category = _lookup(Category, category, "category", offered_only=True)
    answers = custom_values_clean(category=category, raw=custom or {})
    now = timezone.now()
    ticket = Ticket.objects.create(
        requester=requester,
        subject=subject,
        description=description,
        channel=channel,
        intake_address=intake_address[:254],
        category=category,
        location=_lookup(Location, location, "location", offered_only=True),
        product=_lookup(Product, product, "product", offered_only=True),
        priority=priority,
        impact=impact,
        urgency=urgency,
        team=Team.objects.filter(is_triage=True).first(),
        created_at=now,
        updated_at=now,
    )
    _store_attachments(ticket=ticket, comment=None, files=files, user=requester)
    custom_values_set(ticket=ticket, values=answers)
    event_record(
        ticket=ticket,
        payload=Created(channel=channel, attachments=len(files)),
        actor=actor or requester,
    )
    # Counted once committed: a ticket rolled back was never opened.
    transaction.on_commit(partial(metrics.ticket_created, channel=channel))
    return ticket


def _answer(value, choices, field: str) -> int | None:
    if value in (None, ""):
        return None
    number = as_id(str(value))
    if number not in choices.values:
        options = "; ".join(f"{c.value} ({c.label})" for c in choices)
        raise ApplicationError(f"{field.capitalize()} is one of {options}.", field=field)
    return number


def priority_from_matrix(*, impact: int | None, urgency: int | None) -> int | None:
    """The priority the admin's impact-by-urgency matrix gives; None without both answers."""
    if impact is None or urgency is None:
        return None
    cell = PriorityMatrixCell.objects.filter(impact=impact, urgency=urgency)
    return cell.values_list("priority", flat=True).first()


def _normalise(field: str, value):
    if field in ("category", "location", "product"):
        return _lookup(
            {"category": Category, "location": Location, "product": Product}[field], value, field
        )
    if field == "team":
        return _lookup(Team, value, "team")
    if field == "assignee":
        user = _lookup(User, value, "assignee")
        if user is not None and (not user.is_active or not user.is_agent):
            raise ApplicationError(f"{user} is not an active agent.", field="assignee")
        return user
    if field == "status":
        if value not in Status.values:
            raise ApplicationError(f"Unknown status {value!r}.", field="status")
        return value
    if field in ("priority", "tier"):
        from apps.accounts.models import Tier

        choices = Priority if field == "priority" else Tier
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value not in choices.values:
            raise ApplicationError(f"Not a valid {field}.", field=field)
        return value
    if field == "subject":
        return single_line(value, "subject", SUBJECT_MAX, message="The subject cannot be empty.")
    if field == "resolution":
        if (value or "") not in ("", *Resolution.values):
            raise ApplicationError(f"Unknown resolution {value!r}.", field="resolution")
        return value or ""
    if field == "tags":
        if isinstance(value, str) or not isinstance(value, Iterable | None):
            raise ApplicationError("Tags are a list of names.", field="tags")
        names = sorted({str(t).strip().lower() for t in value or [] if str(t).strip()})
        bad = [n for n in names if not n.replace("-", "").replace("_", "").isalnum()]
        if bad:
            raise ApplicationError(
                f"“{bad[0]}” is not a valid tag (letters, digits, - and _).", field="tags"
            )
        long = [n for n in names if len(n) > TAG_MAX]
        if long:
            raise ApplicationError(
                f"“{long[0][:20]}…” is too long for a tag (at most {TAG_MAX} characters).",
                field="tags",
            )
        return names
    raise ApplicationError(f"“{field}” cannot be changed.", field=field)


DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


def _check_assignee(locked: Ticket, assignee: User | None, actor: User) -> None:
    """A person assigns only someone the properties form offers (the agents of the ticket's
    team, its assignee or holder), or takes it themself if they may work it. Rules and timers
    (no actor) assign whom their admin-checked action names."""
    if assignee is None:
        return
    if assignee.pk == actor.pk and can_work(actor, locked):
        return
    before = Ticket.objects.only("assignee_id", "holder_id").get(pk=locked.pk)
    choices = agent_choices_for(ticket=before, team_id=locked.team_id or 0)
    if not choices.filter(pk=assignee.pk).exists():
        raise ApplicationError(
            f"{assignee} cannot be assigned {locked.reference}: choose an agent of "
            f"{locked.team or 'its team'}.",
            field="assignee",
        )


def _status_kind(before: str, after: str) -> str:
    if after == Status.RESOLVED:
        return EventKind.RESOLVED
    if after == Status.CLOSED:
        return EventKind.CLOSED
    if before in (Status.RESOLVED, Status.CLOSED):
        return EventKind.REOPENED
    return EventKind.CHANGED


@ticket_transaction()
def ticket_update(
    *,
    ticket: Ticket,
    actor: User | None,
    data: dict,
    source: str = "",
    answers: dict | None = None,
    allow_tier: bool = False,
) -> dict:
    """Change any of EDITABLE_FIELDS; returns ``{field: {"before", "after"}}`` of what changed.

    Finishing an active ticket (resolved *or* closed) asks every registered resolve guard first
    (open blocking subtasks, a missing root cause, …) and is refused with their reasons; closing
    a ticket already resolved asks nothing new. The tier changes only with ``allow_tier`` (the
    tiers services and the "set tier" action); a person names an assignee only from
    ``agent_choices_for`` (or takes the ticket themself). Resolving or closing a ticket that was still active asks the
    registered resolve questions (what of the subtasks still open?): ``answers`` maps each
    question's field to the answer (and its note), and a missing one is refused naming it.
    ``source`` names a rule or timer acting with no person.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"“{sorted(unknown)[0]}” cannot be changed.", field=sorted(unknown)[0]
        )
    if "tier" in data and not allow_tier:
        raise ApplicationError(
            "The tier changes only by escalating or handing back the ticket (with the target "
            "tier's checklist): use Escalate / Hand back, or POST …/escalate/ or …/hand-back/ "
            "in the API.",
            field="tier",
            code="use_escalation",
        )
    # The related rows come along for the history's before-values; only the ticket is locked.
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "assignee", "category", "location", "product")
        .get(pk=ticket.pk)
    )
    new = {field: _normalise(field, value) for field, value in data.items()}
    changes = {}
    for field, value in new.items():
        if field == "tags":
            before = sorted(locked.tags.values_list("name", flat=True))
            if before != value:
                added, gone = set(value) - set(before), set(before) - set(value)
                if gone:
                    locked.tags.remove(*Tag.objects.filter(name__in=gone))
                if added:
                    locked.tags.add(*[Tag.objects.get_or_create(name=n)[0] for n in added])
                changes["tags"] = {"before": before, "after": value}
            continue
        before = getattr(locked, field)
        if before != value:
            setattr(locked, field, value)
            changes[field] = {"before": display(before), "after": display(value)}
    if not changes:
        return {}
    if "assignee" in changes and actor is not None:
        _check_assignee(locked, new["assignee"], actor)
    status_change = changes.get("status")
    if (
        status_change
        and new["status"] in DONE_STATUSES
        and status_change["before"] not in DONE_STATUSES
    ):
        # Every way to finish an active ticket passes the same gate: closing is no way around it.
        blockers = extensions.resolve_blockers(locked)
        if blockers:
            verb = "resolved" if new["status"] == Status.RESOLVED else "closed"
            raise ApplicationError(
                f"This ticket cannot be {verb} yet: " + "; ".join(blockers),
                field="status",
                code="blocked",
            )
    answered = _resolve_answers(locked, status_change, answers or {})
    now = timezone.now()
    locked.updated_at = now
    if status_change:
        locked.resolved_at = (
            now
            if locked.status == Status.RESOLVED
            else (locked.resolved_at if locked.status == Status.CLOSED else None)
        )
        locked.closed_at = now if locked.status == Status.CLOSED else None
    locked.save()
    # Callers keep using the object they passed in: bring it up to date.
    for field in [*new, "updated_at", "resolved_at", "closed_at"]:
        if field != "tags":
            setattr(ticket, field, getattr(locked, field))
    kind = _status_kind(status_change["before"], new["status"]) if status_change else None
    # ``changes`` holds the assignee's name; the id lets readers of the history (the mentor
    # review's "who touched it") find the person even after a rename.
    assigned = new["assignee"] if "assignee" in changes else None
    event_record(
        ticket=ticket,
        payload=STATUS_EVENTS[kind or EventKind.CHANGED](
            source=source, assignee_id=assigned.pk if assigned else None
        ),
        actor=actor,
        changes=changes,
    )
    for question, answer, note in answered:
        question.apply(ticket=ticket, answer=answer, note=note, actor=actor)
    return changes


def _resolve_answers(ticket: Ticket, status_change: dict | None, answers: dict) -> list[tuple]:
    """(question, answer, note) for each question finishing this ticket asks; a question left
    unanswered (or answered with something not offered) refuses the change, naming its field."""
    if not status_change or ticket.status not in DONE_STATUSES:
        return []
    if status_change["before"] in DONE_STATUSES:
        return []  # decided when it was resolved; closing a resolved ticket asks nothing new
    answered = []
    for question, text in extensions.resolve_questions_for(ticket):
        answer = answers.get(question.name) or ""
        offered = dict(question.choices)
        if answer not in offered:
            options = " or ".join(f"“{label}” ({value})" for value, label in question.choices)
            raise ApplicationError(
                f"{text} Choose {options}.", field=question.name, code="question"
            )
        note = str(answers.get(question.note_name) or "").strip() if question.note_name else ""
        answered.append((question, answer, note))
    return answered


@ticket_transaction()
def comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    channel: str = Channel.WEB,
    attachments: Iterable[UploadedFile] = (),
    options: dict[str, str] | None = None,
    time_spent: str | int | None = None,
) -> Comment:
    """Add a public reply or an internal note.

    A requester's reply reopens a resolved ticket and takes a pending one back to open; an
    agent's first public reply opens a new ticket and counts as its first response.
    ``options``: values of the reply options feature apps registered (a macro's id), each
    applied after the reply in the same change. ``time_spent`` ("25m", "1h30", minutes): what
    the agent's reply or note took, required on the web where the ticket's team says so.
    """
    body = long_text(body, "body", message="Write a message first.")
    agent = can_work(author, ticket)
    if not agent and not is_requester(author, ticket) and not is_follower(author, ticket):
        raise ApplicationError("You cannot reply to this ticket.", code="forbidden")
    if internal and not agent:
        raise ApplicationError("Only agents can add internal notes.", field="internal")
    if agent and not internal and not can_reply_to_requester(author, ticket):
        raise ApplicationError(
            f"{ticket.team} does not reply to requesters directly at tier {ticket.tier}: "
            "add an internal note, or ask the ticket's holder to reply.",
            field="internal",
        )
    if ticket.status == Status.CLOSED and not internal:
        raise ApplicationError("This ticket is closed. Please open a new ticket.", field="body")
    files = attachments_validate(attachments)
    comment = Comment.objects.create(
        ticket=ticket, author=author, body=body, is_internal=internal, channel=channel
    )
    _store_attachments(ticket=ticket, comment=comment, files=files, user=author)
    if agent:
        required = channel == Channel.WEB and time_required(ticket)
        time_entry_add(
            ticket=ticket, person=author, spent=time_spent, comment=comment, required=required
        )
    _after_comment(ticket=ticket, author=author, internal=internal, agent=agent)
    kind = NoteAdded if internal else Replied
    event_record(
        ticket=ticket,
        payload=kind(comment_id=comment.pk, by_agent=agent, attachments=len(files)),
        actor=author,
    )
    for option in extensions.reply_options():
        value = str((options or {}).get(option.name) or "").strip()
        if value:
            option.apply(ticket=ticket, comment=comment, actor=author, value=value)
    return comment


def _after_comment(*, ticket: Ticket, author: User, internal: bool, agent: bool) -> None:
    if internal:
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
        return
    if agent:
        if ticket.first_response_at is None:
            Ticket.objects.filter(pk=ticket.pk).update(first_response_at=timezone.now())
            ticket.first_response_at = timezone.now()
        if ticket.status == Status.NEW:
            ticket_update(ticket=ticket, actor=author, data={"status": Status.OPEN})
    elif ticket.status in (Status.RESOLVED, Status.PENDING):
        ticket_update(ticket=ticket, actor=author, data={"status": Status.OPEN})
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())


@ticket_transaction()
def followers_add(
    *, ticket: Ticket, users: Iterable[User], actor: User | None, source: str = ""
) -> list[User]:
    """Add people who get the public replies (the requester and present followers are skipped).
    Returns who was added."""
    present = set(ticket.followers.values_list("user_id", flat=True)) | {ticket.requester_id}
    added = [u for u in {u.pk: u for u in users if u.is_active}.values() if u.pk not in present]
    if not added:
        return []
    Follower.objects.bulk_create([Follower(ticket=ticket, user=u) for u in added])
    event_record(
        ticket=ticket,
        payload=FollowersAdded(
            user_ids=[u.pk for u in added], names=[str(u) for u in added], source=source
        ),
        actor=actor,
    )
    return added


@ticket_transaction()
def attachment_add(
    *, ticket: Ticket, user: User, files: Iterable[UploadedFile]
) -> list[Attachment]:
    """Attach files to the ticket itself (not to a message)."""
    if not can_work(user, ticket) and not is_requester(user, ticket):
        raise ApplicationError("You cannot add files to this ticket.", code="forbidden")
    stored = _store_attachments(
        ticket=ticket, comment=None, files=attachments_validate(files), user=user
    )
    event_record(
        ticket=ticket, payload=Attached(filenames=[a.filename for a in stored]), actor=user
    )
    return stored


@ticket_transaction()
def ticket_take(*, ticket: Ticket, agent: User) -> dict:
    """An agent assigns the ticket to themself; not a finished one (nothing is left to do)."""
    if not can_work(agent, ticket):
        raise ApplicationError("Only agents of this ticket's team can take it.", code="forbidden")
    # Read under the lock ticket_update takes next, so a resolve in between cannot slip past.
    locked = Ticket.objects.select_for_update(of=("self",)).only("status").get(pk=ticket.pk)
    status = locked.status
    if status == Status.RESOLVED:
        raise ApplicationError(
            f"{ticket.reference} is resolved: there is nothing to take. Reopen it first "
            "(set its status to Open) if there is more to do.",
            field="status",
            code="finished",
        )
    if status == Status.CLOSED:
        raise ApplicationError(
            f"{ticket.reference} is closed: there is nothing to take.",
            field="status",
            code="finished",
        )
    data = {"assignee": agent}
    if status == Status.NEW:
        data["status"] = Status.OPEN
    return ticket_update(ticket=ticket, actor=agent, data=data)
