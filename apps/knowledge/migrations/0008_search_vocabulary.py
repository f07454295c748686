"""The words articles use, for correcting typed ones (apps/knowledge/spelling.py).

Every word (letters only, unstemmed, lowercased) of each article's title, summary and first
100,000 characters of text, with the number of articles using it, kept by the database so
that any write — a service, the admin, a bulk import — keeps it current.

PostgreSQL: a table (primary key in C collation, so a first letter is an index range) kept by
triggers: per statement on insert and delete, per row when the text of an article changes.
SQLite: a contentless FTS5 table without positions, fed by triggers like the search table
(0002), and its fts5vocab view. As for 0002: a later migration that makes Django rebuild
knowledge_article on SQLite drops these triggers; run SQLITE_FORWARD again after it.
"""

from django.db import migrations

PG_FORWARD = [
    'CREATE TABLE knowledge_article_word (word text COLLATE "C" PRIMARY KEY, '
    "articles integer NOT NULL)",
    """
    CREATE FUNCTION knowledge_article_words(title text, summary text, body_text text)
    RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT word FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig,
            coalesce(title, '') || ' ' || coalesce(summary, '') || ' '
            || left(coalesce(body_text, ''), 100000)))) AS word
        WHERE word ~ '^[[:alpha:]]+$'
    $$
    """,
    """
    CREATE FUNCTION knowledge_article_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- In word order, so concurrent saves lock the rows they share in the same order.
        INSERT INTO knowledge_article_word AS known (word, articles)
        SELECT word, count(*) FROM new_rows,
            knowledge_article_words(new_rows.title, new_rows.summary, new_rows.body_text) AS word
        GROUP BY word ORDER BY word
        ON CONFLICT (word) DO UPDATE SET articles = known.articles + excluded.articles;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION knowledge_article_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE knowledge_article_word AS known SET articles = known.articles - gone.articles
        FROM (
            SELECT word, count(*) AS articles FROM old_rows,
                knowledge_article_words(old_rows.title, old_rows.summary, old_rows.body_text)
                AS word
            GROUP BY word
        ) AS gone
        WHERE known.word = gone.word;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION knowledge_article_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE knowledge_article_word SET articles = articles - 1 WHERE word IN (
            SELECT knowledge_article_words(OLD.title, OLD.summary, OLD.body_text)
            EXCEPT SELECT knowledge_article_words(NEW.title, NEW.summary, NEW.body_text)
        );
        INSERT INTO knowledge_article_word AS known (word, articles)
        SELECT word, 1 FROM (
            SELECT knowledge_article_words(NEW.title, NEW.summary, NEW.body_text) AS word
            EXCEPT SELECT knowledge_article_words(OLD.title, OLD.summary, OLD.body_text)
        ) AS added
        ORDER BY word
        ON CONFLICT (word) DO UPDATE SET articles = known.articles + 1;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER knowledge_article_words_ai AFTER INSERT ON knowledge_article
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_article_words_added()
    """,
    """
    CREATE TRIGGER knowledge_article_words_ad AFTER DELETE ON knowledge_article
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_article_words_removed()
    """,
    # Per row, and only when the text changed: counting a view changes no word.
    """
    CREATE TRIGGER knowledge_article_words_au AFTER UPDATE OF title, summary, body_text
    ON knowledge_article FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.summary IS DISTINCT FROM NEW.summary
          OR OLD.body_text IS DISTINCT FROM NEW.body_text)
    EXECUTE FUNCTION knowledge_article_words_changed()
    """,
    """
    INSERT INTO knowledge_article_word (word, articles)
    SELECT word, count(*) FROM knowledge_article,
        knowledge_article_words(title, summary, body_text) AS word
    GROUP BY word
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowledge_article_words_au ON knowledge_article",
    "DROP TRIGGER IF EXISTS knowledge_article_words_ad ON knowledge_article",
    "DROP TRIGGER IF EXISTS knowledge_article_words_ai ON knowledge_article",
    "DROP FUNCTION IF EXISTS knowledge_article_words_changed()",
    "DROP FUNCTION IF EXISTS knowledge_article_words_removed()",
    "DROP FUNCTION IF EXISTS knowledge_article_words_added()",
    "DROP FUNCTION IF EXISTS knowledge_article_words(text, text, text)",
    "DROP TABLE IF EXISTS knowledge_article_word",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_words USING fts5(
        title, summary, body_text, content='', detail='none',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_words_vocab "
    "USING fts5vocab(knowledge_article_words, 'row')",
    "DROP TRIGGER IF EXISTS knowledge_article_words_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_words_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_words_au",
    # A contentless table forgets a row given the values it was indexed with: the same
    # substr() on both sides.
    """
    CREATE TRIGGER knowledge_article_words_ai AFTER INSERT ON knowledge_article BEGIN
        INSERT INTO knowledge_article_words(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, substr(new.body_text, 1, 100000));
    END
    """,
    """
    CREATE TRIGGER knowledge_article_words_ad AFTER DELETE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_words(knowledge_article_words, rowid, title, summary,
            body_text)
        VALUES ('delete', old.id, old.title, old.summary, substr(old.body_text, 1, 100000));
    END
    """,
    """
    CREATE TRIGGER knowledge_article_words_au AFTER UPDATE OF title, summary, body_text
    ON knowledge_article BEGIN
        INSERT INTO knowledge_article_words(knowledge_article_words, rowid, title, summary,
            body_text)
        VALUES ('delete', old.id, old.title, old.summary, substr(old.body_text, 1, 100000));
        INSERT INTO knowledge_article_words(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, substr(new.body_text, 1, 100000));
    END
    """,
    "INSERT INTO knowledge_article_words(knowledge_article_words) VALUES ('delete-all')",
    """
    INSERT INTO knowledge_article_words(rowid, title, summary, body_text)
    SELECT id, title, summary, substr(body_text, 1, 100000) FROM knowledge_article
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowledge_article_words_ai",
    "DROP TRIGGER IF EXISTS knowledge_article_words_ad",
    "DROP TRIGGER IF EXISTS knowledge_article_words_au",
    "DROP TABLE IF EXISTS knowledge_article_words_vocab",
    "DROP TABLE IF EXISTS knowledge_article_words",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0007_synonym_group")]

    operations = [migrations.RunPython(forward, backward)]
