"""Seed the kinds of subtask the issue names; admins can rename, add or retire them."""

from django.db import migrations

KINDS = ["Data fix", "Workaround", "New test", "Master-data update", "Managerial escalation", "Other"]


def seed(apps, schema_editor):
    kind = apps.get_model("subtasks", "SubtaskKind")
    for order, name in enumerate(KINDS):
        kind.objects.get_or_create(name=name, defaults={"order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("subtasks", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
