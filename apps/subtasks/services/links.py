"""Revoking and re-sending the assignee's link (the e-mail itself goes out from a task)."""

import datetime

from apps.accounts.models import User
from apps.tickets.events import ticket_transaction

from .. import events
from ..models import Subtask
from ..notifications import subtask_link_mail_queue
from .subtasks import _event, _mail_link_after_commit, _require_agent


@ticket_transaction()
def subtask_link_revoke(*, subtask: Subtask, actor: User, resend: bool = True) -> None:
    """Kill every link sent so far (a forwarded e-mail, a shared screen); optionally send anew."""
    _require_agent(actor, subtask.ticket)
    Subtask.objects.filter(pk=subtask.pk).update(
        link_version=subtask.link_version + 1, link_mailed_at=None
    )
    subtask.refresh_from_db()
    _event(subtask, events.LinkRevoked, actor, resent=resend)
    if resend:
        _mail_link_after_commit(subtask)


RESEND_PAUSE = datetime.timedelta(minutes=2)


@ticket_transaction()
def subtask_link_resend(*, subtask: Subtask, user: User | None = None) -> bool:
    """Send a fresh link (to ``user`` only, or every assignee); earlier ones stay valid until
    they expire. At most one every RESEND_PAUSE, so the button cannot be used to flood a mailbox.
    """
    user_id = user.pk if user else None
    return subtask_link_mail_queue(subtask=subtask, user_id=user_id, resend_pause=RESEND_PAUSE)
