"""Full-text search, per database vendor (see apps/knowledge/search.py).

PostgreSQL: pg_trgm, a stored generated tsvector (title A, summary B, body C) with a GIN index,
and a trigram GIN index on titles for typos. SQLite: an FTS5 table over the same columns, kept
current by triggers. NOTE for later migrations on SQLite: Django rebuilds a table to alter it,
which drops its triggers; run this migration's SQLITE_FORWARD again after such a change.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX kb_article_search_idx ON knowledge_article USING gin (search_vector)",
    "CREATE INDEX kb_article_title_trgm_idx ON knowledge_article USING gin (title gin_trgm_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS kb_article_title_trgm_idx",
    "DROP INDEX IF EXISTS kb_article_search_idx",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5(
        title, summary, body_text,
        content='knowledge_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_au",
    """
    CREATE TRIGGER knowledge_article_fts_ai AFTER INSERT ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, new.body_text);
    END
    """,
    """
    CREATE TRIGGER knowledge_article_fts_ad AFTER DELETE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.body_text);
    END
    """,
    """
    CREATE TRIGGER knowledge_article_fts_au AFTER UPDATE OF title, summary, body_text
    ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.body_text);
        INSERT INTO knowledge_article_fts(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, new.body_text);
    END
    """,
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_au",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def install_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(install_search, uninstall)]
