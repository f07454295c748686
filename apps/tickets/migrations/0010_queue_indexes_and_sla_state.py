"""The queue at a million tickets: the SLA state kept on the ticket, one partial index per
order the queue offers over a team's active tickets, (assignee, team) for "assigned to me
outside my teams", and on PostgreSQL a generated tsvector of subject and description with a
GIN index for ticket search (SQLite searches with LIKE)."""

from django.db import migrations, models

ACTIVE = models.Q(("status__in", ("new", "open", "pending")))

# Keep in step with apps.tickets.search.
SEARCH_FORWARD = [
    """
    ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(subject, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, left(coalesce(description, ''), 100000)), 'B')
    ) STORED
    """,
    "CREATE INDEX ticket_search_idx ON tickets_ticket USING gin (search_vector)",
]
SEARCH_BACKWARD = [
    "DROP INDEX IF EXISTS ticket_search_idx",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_email_bounced"),
        ("tickets", "0009_assisted_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="sla_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="sla_warn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="sla_breached",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="ticket",
            name="sla_paused",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["assignee", "-updated_at", "-id"], name="ticket_assignee_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["holder", "-updated_at", "-id"], name="ticket_holder_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["assignee", "team"], name="ticket_assignee_team_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=ACTIVE,
                fields=["team", "-updated_at", "-id"],
                name="ticket_active_updated_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=ACTIVE,
                fields=["team", "created_at", "id"],
                name="ticket_active_created_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=ACTIVE,
                fields=["team", "priority", "updated_at", "id"],
                name="ticket_active_priority_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=ACTIVE, fields=["team", "sla_due_at", "id"], name="ticket_active_sla_idx"
            ),
        ),
        migrations.RunPython(_run(SEARCH_FORWARD), _run(SEARCH_BACKWARD), elidable=False),
    ]
