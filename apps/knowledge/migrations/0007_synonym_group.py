"""Synonym groups for article search, with the few every desk needs (admins edit them)."""

from django.db import migrations, models

DEFAULT_GROUPS = [
    ("wifi, wi-fi, wlan", "The wireless network, however it is spelled."),
    ("email, e-mail", ""),
    ("2fa, two-factor, two-step, mfa, multi-factor", "Second sign-in step."),
    ("laptop, notebook", ""),
]


def add_defaults(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    for terms, note in DEFAULT_GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0006_revision_pending_changes")]

    operations = [
        migrations.CreateModel(
            name="SynonymGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "terms",
                    models.TextField(
                        help_text="Two or more terms, separated by commas or new lines. Hyphens "
                        "and spaces inside a term do not matter to a search: “wi-fi” also finds "
                        "“wi fi” and “wifi”."
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True, help_text="Why these belong together.", max_length=200
                    ),
                ),
            ],
            options={"verbose_name": "synonym group", "ordering": ["terms"]},
        ),
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
