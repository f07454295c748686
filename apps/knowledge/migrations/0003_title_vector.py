"""PostgreSQL only: a small title + summary tsvector with its own GIN index.

Search ranks the (few) articles whose title or summary match first, and only samples body-only
matches, so a common word over 100,000 articles does not mean ranking tens of thousands of rows.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE knowledge_article ADD COLUMN title_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX kb_article_title_search_idx ON knowledge_article USING gin (title_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_article_title_search_idx",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS title_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search")]

    operations = [migrations.RunPython(forward, backward)]
