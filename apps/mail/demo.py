"""Demo: the notifications of the demo's past count as sent; only the present is mailed.

Hundreds of backdated tickets queue hundreds of e-mails to made-up people. Marking those as
sent (when they were queued) keeps var/mail for what happens after the seed, and the claim in
``outbound_message_send`` turns their queued tasks into no-ops.
"""

from django.db.models import F

from .models import OutboundMessage


def populate(demo: dict) -> None:
    started_at = demo.get("started_at")
    if started_at is None:
        return
    past = OutboundMessage.objects.filter(created_at__lt=started_at, sent_at__isnull=True)
    count = past.update(sent_at=F("created_at"), claimed_at=F("created_at"))
    demo["stdout"].write(f"  mail: {count} notifications of the demo's past marked as sent")
