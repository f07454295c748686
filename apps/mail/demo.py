"""Demo: the e-mails of the demo's past count as sent; only the present is mailed.

Hundreds of backdated tickets queue hundreds of e-mails to made-up people. Marking those as
sent (when they were queued) keeps var/mail for what happens after the seed, and the claim in
``apps.core.outbox.outbox_send`` turns their queued tasks into no-ops.
"""

from django.db.models import F

from apps.core.models import OutboxMessage, OutboxStatus


def populate(demo: dict) -> None:
    started_at = demo.get("started_at")
    if started_at is None:
        return
    past = OutboxMessage.objects.filter(created_at__lt=started_at, status=OutboxStatus.PENDING)
    count = past.update(status=OutboxStatus.SENT, sent_at=F("created_at"))
    demo["stdout"].write(f"  mail: {count} e-mails of the demo's past marked as sent")
