"""E-mails this app sends itself: the assignee's link, overdue reminders, the manager's notice.

Each is claimed on the subtask row with a conditional update before it is sent, so a retried
task or two workers running the same sweep send it once.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.events import event_record

from .links import link_url
from .models import OPEN_STATUSES, Subtask

BATCH = 200


def _assignees(subtask: Subtask) -> list[User]:
    if subtask.assignee_user_id:
        return [subtask.assignee_user] if subtask.assignee_user.is_active else []
    if subtask.assignee_team_id:
        return list(subtask.assignee_team.members.filter(is_active=True))
    return []


def _send(template: str, *, to: User, context: dict) -> None:
    context = {**context, "person": to}
    subject = render_to_string(f"subtasks/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"subtasks/email/{template}.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to.email])


def _load(subtask_id: int) -> Subtask:
    return Subtask.objects.select_related(
        "ticket", "kind", "assignee_user__manager", "assignee_team"
    ).get(pk=subtask_id)


def subtask_link_mail_send(*, subtask_id: int, user_id: int | None = None) -> bool:
    """E-mail the assignee(s) their link, once per claim. Returns whether this call sent."""
    now = timezone.now()
    claimed = Subtask.objects.filter(pk=subtask_id, link_mailed_at__isnull=True).update(
        link_mailed_at=now
    )
    if not claimed:
        return False
    subtask = _load(subtask_id)
    people = [p for p in _assignees(subtask) if user_id is None or p.pk == user_id]
    try:
        for person in people:
            url = link_url(subtask=subtask, user=person)
            _send("assigned", to=person, context={"subtask": subtask, "url": url})
    except Exception:
        Subtask.objects.filter(pk=subtask_id, link_mailed_at=now).update(link_mailed_at=None)
        raise
    return True


def _overdue() -> "Subtask.objects":
    return Subtask.objects.filter(
        status__in=OPEN_STATUSES, due_date__lt=timezone.localdate()
    ).filter(Q(assignee_user__isnull=False) | Q(assignee_team__isnull=False))


def _claim(subtask_id: int, field: str, **conditions) -> bool:
    now = timezone.now()
    return bool(
        Subtask.objects.filter(pk=subtask_id, **{f"{field}__isnull": True}, **conditions).update(
            **{field: now}
        )
    )


def subtask_remind(*, subtask_id: int) -> bool:
    """The assignee's overdue reminder (with their link), at most once per assignment."""
    if not _claim(subtask_id, "reminded_at", status__in=OPEN_STATUSES):
        return False
    subtask = _load(subtask_id)
    try:
        for person in _assignees(subtask):
            url = link_url(subtask=subtask, user=person)
            _send("reminder", to=person, context={"subtask": subtask, "url": url})
    except Exception:
        Subtask.objects.filter(pk=subtask_id).update(reminded_at=None)
        raise
    event_record(
        ticket=subtask.ticket,
        kind="subtask_reminded",
        data={"subtask_id": subtask.pk, "title": subtask.title, "to": str(subtask.assignee)},
    )
    return True


def subtask_notify_manager(*, subtask_id: int) -> bool:
    """The managerial push: tell the assignee's manager the task is still overdue, once."""
    if not _claim(subtask_id, "manager_notified_at", status__in=OPEN_STATUSES):
        return False
    subtask = _load(subtask_id)
    manager = subtask.assignee_user.manager if subtask.assignee_user_id else None
    if manager is None or not manager.is_active:
        return False
    try:
        _send(
            "manager", to=manager, context={"subtask": subtask, "assignee": subtask.assignee_user}
        )
    except Exception:
        Subtask.objects.filter(pk=subtask_id).update(manager_notified_at=None)
        raise
    event_record(
        ticket=subtask.ticket,
        kind="subtask_manager_notified",
        data={"subtask_id": subtask.pk, "title": subtask.title, "manager": str(manager)},
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
