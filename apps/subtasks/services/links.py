"""Revoking and re-sending the assignee's link (the e-mail itself goes out from a task)."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User

from ..models import Subtask
from .subtasks import _event, _mail_link_after_commit, _require_agent


@transaction.atomic
def subtask_link_revoke(*, subtask: Subtask, actor: User, resend: bool = True) -> None:
    """Kill every link sent so far (a forwarded e-mail, a shared screen); optionally send anew."""
    _require_agent(actor, subtask.ticket)
    Subtask.objects.filter(pk=subtask.pk).update(
        link_version=subtask.link_version + 1, link_mailed_at=None
    )
    subtask.refresh_from_db()
    _event(subtask, "subtask_link_revoked", actor, resent=resend)
    if resend:
        _mail_link_after_commit(subtask)


RESEND_PAUSE = datetime.timedelta(minutes=2)


@transaction.atomic
def subtask_link_resend(*, subtask: Subtask, user: User | None = None) -> bool:
    """Send a fresh link (to ``user`` only, or every assignee); earlier ones stay valid until
    they expire. At most one every RESEND_PAUSE, so the button cannot be used to flood a mailbox.
    """
    from ..tasks import send_subtask_link

    cutoff = timezone.now() - RESEND_PAUSE
    released = (
        Subtask.objects.filter(pk=subtask.pk)
        .filter(Q(link_mailed_at__isnull=True) | Q(link_mailed_at__lt=cutoff))
        .update(link_mailed_at=None)
    )
    if released:
        user_id = user.pk if user else None
        transaction.on_commit(lambda: send_subtask_link.delay(subtask.pk, user_id))
    return bool(released)
