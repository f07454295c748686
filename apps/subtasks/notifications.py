"""E-mails this app sends itself: the assignee's link, overdue reminders, the manager's notice,
support's answers on a task's thread, and the notice that a task was cancelled with its ticket.

Each is claimed on the subtask row with a conditional update, and stored in the outbox in the
same transaction as the claim — one message per person — so two workers running the same sweep
store it once, and a team's mail where one address fails still reaches each member once.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.core.outbox import outbox_enqueue
from apps.tickets.events import event_record, ticket_transaction

from . import events
from .links import link_url
from .models import OPEN_STATUSES, Subtask

BATCH = 200


def _assignees(subtask: Subtask) -> list[User]:
    if subtask.assignee_user_id:
        person = subtask.assignee_user
        return [person] if person.is_active and person.takes_mail else []
    if subtask.assignee_team_id:
        members = subtask.assignee_team.members.filter(is_active=True, email_bounced_at=None)
        return list(members.order_by("pk"))
    return []


def _queue(template: str, *, to: User, subtask: Subtask, key: str, context: dict):
    """Render one e-mail and store it in the outbox (sent after commit); None if stored before."""
    context = {**context, "subtask": subtask, "person": to}
    return outbox_enqueue(
        kind=f"subtask_{template}",
        to=to.email,
        subject=render_to_string(f"subtasks/email/{template}_subject.txt", context).strip(),
        body=render_to_string(f"subtasks/email/{template}.txt", context),
        dedupe_key=key,
        ticket_reference=subtask.ticket.reference,
        thread=f"subtask:{subtask.pk}",
        recipient=to,
    )


def _load(subtask_id: int) -> Subtask:
    return Subtask.objects.select_related(
        "ticket", "kind", "assignee_user__manager", "assignee_team"
    ).get(pk=subtask_id)


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S.%f")


def subtask_link_mail_queue(
    *,
    subtask: Subtask,
    user_id: int | None = None,
    resend_pause: datetime.timedelta | None = None,
    claimed: bool = False,
) -> bool:
    """Store the e-mail with their link for the assignee(s) — or only ``user_id`` — in the
    caller's transaction. Claimed on ``link_mailed_at``: once per assignment, or (a re-send)
    once per ``resend_pause``. Returns whether this call claimed it. ``claimed``: the caller set
    ``link_mailed_at`` itself (a subtask created in this transaction)."""
    now = subtask.link_mailed_at if claimed else timezone.now()
    unmailed = Q(link_mailed_at__isnull=True)
    if resend_pause is not None:
        unmailed |= Q(link_mailed_at__lt=now - resend_pause)
    with transaction.atomic(savepoint=False):  # the claim and its messages, together
        if not claimed and not Subtask.objects.filter(unmailed, pk=subtask.pk).update(
            link_mailed_at=now
        ):
            return False
        for person in _assignees(subtask):
            if user_id is not None and person.pk != user_id:
                continue
            _queue(
                "assigned",
                to=person,
                subtask=subtask,
                key=f"subtask-link:{subtask.pk}:{person.pk}:{subtask.link_version}:{_stamp(now)}",
                context={"url": link_url(subtask=subtask, user=person)},
            )
    subtask.link_mailed_at = now
    return True


def subtask_answer_mail_queue(
    *, subtask: Subtask, author: User, body: str, filenames: list[str], key: str
) -> int:
    """Support wrote on the task's thread: each assignee (not the author) gets the message and
    their link, in the caller's transaction. ``key`` names the message (a comment, or the first
    file of a files-only one), so a retried change stores each person's e-mail once."""
    sent = 0
    for person in _assignees(subtask):
        if person.pk == author.pk or not person.email:
            continue
        queued = _queue(
            "answer",
            to=person,
            subtask=subtask,
            key=f"subtask-answer:{key}:{person.pk}",
            context={
                "url": link_url(subtask=subtask, user=person),
                "author": author,
                "body": body,
                "filenames": filenames,
            },
        )
        sent += queued is not None
    return sent


def subtask_cancelled_mail_queue(*, subtask: Subtask, note: str) -> None:
    """The ticket was resolved and this task is no longer needed: tell each assignee, with the
    note, so nobody keeps working on it. Keyed on the cancellation, so it goes once."""
    stamp = _stamp(subtask.completed_at or timezone.now())
    for person in _assignees(subtask):
        if not person.email:
            continue
        _queue(
            "cancelled",
            to=person,
            subtask=subtask,
            key=f"subtask-cancelled:{subtask.pk}:{person.pk}:{stamp}",
            context={"url": link_url(subtask=subtask, user=person), "note": note},
        )


def _overdue() -> "Subtask.objects":
    return Subtask.objects.filter(
        status__in=OPEN_STATUSES, due_date__lt=timezone.localdate()
    ).filter(Q(assignee_user__isnull=False) | Q(assignee_team__isnull=False))


def _claim(subtask_id: int, field: str, **conditions) -> datetime.datetime | None:
    now = timezone.now()
    claimed = Subtask.objects.filter(
        pk=subtask_id, **{f"{field}__isnull": True}, **conditions
    ).update(**{field: now})
    return now if claimed else None


@ticket_transaction()
def subtask_remind(*, subtask_id: int) -> bool:
    """The assignee's overdue reminder (with their link), at most once per assignment."""
    reminded_at = _claim(subtask_id, "reminded_at", status__in=OPEN_STATUSES)
    if reminded_at is None:
        return False
    subtask = _load(subtask_id)
    for person in _assignees(subtask):
        _queue(
            "reminder",
            to=person,
            subtask=subtask,
            key=f"subtask-reminder:{subtask.pk}:{person.pk}:{_stamp(reminded_at)}",
            context={"url": link_url(subtask=subtask, user=person)},
        )
    event_record(
        ticket=subtask.ticket,
        payload=events.Reminded(
            subtask_id=subtask.pk, title=subtask.title, to=str(subtask.assignee)
        ),
    )
    return True


@ticket_transaction()
def subtask_notify_manager(*, subtask_id: int) -> bool:
    """The managerial push: tell the assignee's manager the task is still overdue, once."""
    notified_at = _claim(subtask_id, "manager_notified_at", status__in=OPEN_STATUSES)
    if notified_at is None:
        return False
    subtask = _load(subtask_id)
    manager = subtask.assignee_user.manager if subtask.assignee_user_id else None
    if manager is None or not manager.is_active:
        return False
    _queue(
        "manager",
        to=manager,
        subtask=subtask,
        key=f"subtask-manager:{subtask.pk}:{manager.pk}:{_stamp(notified_at)}",
        context={"assignee": subtask.assignee_user},
    )
    event_record(
        ticket=subtask.ticket,
        payload=events.ManagerNotified(
            subtask_id=subtask.pk, title=subtask.title, manager=str(manager)
        ),
    )
    return True


def overdue_sweep() -> dict[str, int]:
    """One pass of the beat job: reminders first, then managers of those reminded long enough
    ago. Bounded batches; the next run picks up the rest."""
    reminders = list(
        _overdue().filter(reminded_at__isnull=True).values_list("pk", flat=True)[:BATCH]
    )
    wait = datetime.timedelta(hours=settings.SUBTASK_MANAGER_NOTICE_HOURS)
    managers = list(
        _overdue()
        .filter(
            reminded_at__lte=timezone.now() - wait,
            manager_notified_at__isnull=True,
            assignee_user__manager__isnull=False,
            assignee_user__manager__is_active=True,
        )
        .exclude(assignee_user__manager=F("assignee_user"))
        .values_list("pk", flat=True)[:BATCH]
    )
    return {
        "reminded": sum(subtask_remind(subtask_id=pk) for pk in reminders),
        "managers": sum(subtask_notify_manager(subtask_id=pk) for pk in managers),
    }
