"""Every e-mail now goes through the core outbox: carry over what was never sent, then drop the
mail app's own table."""

from django.conf import settings
from django.db import migrations


def carry_unsent_over(apps, schema_editor):
    OutboundMessage = apps.get_model("mail", "OutboundMessage")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    unsent = OutboundMessage.objects.filter(sent_at__isnull=True).select_related("ticket")
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=message.kind,
                to=message.to,
                subject=message.subject,
                body=message.body,
                dedupe_key=f"event:{message.event_id}:{message.kind}:{message.to}",
                ticket_reference=f"{settings.TICKET_REFERENCE_PREFIX}-"
                f"{message.ticket_id + settings.TICKET_REFERENCE_OFFSET}",
                attempts=message.attempts,
                last_error=message.last_error,
                created_at=message.created_at,
            )
            for message in unsent.iterator()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(carry_unsent_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="OutboundMessage"),
    ]
