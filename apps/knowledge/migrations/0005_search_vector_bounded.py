"""PostgreSQL only: the article search vector reads at most the first 100,000 characters of the
body text. A tsvector is limited to 1 MB: a longer body made every save of its article fail
("string is too long for tsvector"). A generated column's expression cannot be altered before
PostgreSQL 17, so the column (and its GIN index) is made again.
"""

from django.db import migrations

# Keep in step with apps.knowledge.search.SEARCH_TEXT_MAX_CHARS.
FORWARD = [
    "DROP INDEX IF EXISTS kb_article_search_idx",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
    """
    ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), 100000)), 'C')
    ) STORED
    """,
    "CREATE INDEX kb_article_search_idx ON knowledge_article USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_article_search_idx",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
    """
    ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX kb_article_search_idx ON knowledge_article USING gin (search_vector)",
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
    dependencies = [("knowledge", "0004_article_not_related_to_itself")]

    operations = [migrations.RunPython(forward, backward)]
