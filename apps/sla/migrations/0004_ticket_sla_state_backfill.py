"""Fill the SLA state kept on tickets (tickets 0010) from their clocks, as
apps.sla.services.ticket_sla_state_store writes it from now on: one UPDATE of the tickets that
have clocks."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def backfill(apps, schema_editor):
    Clock = apps.get_model("sla", "Clock")
    Ticket = apps.get_model("tickets", "Ticket")
    clocks = Clock.objects.filter(ticket=OuterRef("pk"))
    unmet = clocks.filter(state__in=["running", "breached"], met_at__isnull=True)
    running = clocks.filter(state="running")
    Ticket.objects.filter(Exists(clocks)).update(
        sla_due_at=Subquery(unmet.order_by("due_at").values("due_at")[:1]),
        sla_warn_at=Subquery(running.order_by("due_at").values("warn_at")[:1]),
        sla_breached=Exists(clocks.filter(state="breached", met_at__isnull=True)),
        sla_paused=Exists(clocks.filter(state="paused")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_clocks_stopped_late"),
        ("tickets", "0010_queue_indexes_and_sla_state"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
