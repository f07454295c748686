"""Spelling: a typed word no article uses, corrected to the nearest word articles do use.

The vocabulary is every word of every article's title, summary and text (unstemmed, letters
only) with the number of articles using it, kept by the database itself (migration 0008):
a words table maintained by triggers on PostgreSQL, an FTS5 vocabulary on SQLite. Only words
with the same first letter and a similar length are compared, so a correction reads a few
hundred words at most, and both databases choose the same word.
"""

from django.db import connection

MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
PG_TABLE = "knowledge_article_word"
SQLITE_TABLE = "knowledge_article_words_vocab"


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit ("pasword", "outlok",
    "pssaword"), computed only in a band of ``limit`` around the diagonal; ``limit + 1``
    means "further than that"."""
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [over] * (len(b) + 1)
        current[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = a[i - 1] != b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return over
        before, previous = previous, current
    return min(previous[len(b)], over)


def spelling_corrections(*, words: list[str], skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Typed word → the word to search instead, for each word (4+ letters, not in ``skip``)
    that no article uses and that is within one or two edits of one that does. The closest
    wins, then the one more articles use."""
    candidates = [
        w for w in dict.fromkeys(words) if len(w) >= MIN_LENGTH and w.isalpha() and w not in skip
    ]
    if not candidates:
        return {}
    vocabulary = _vocabulary()
    known = vocabulary.known(candidates)
    unknown = [w for w in candidates if w not in known]
    corrections = {}
    for word in unknown:
        limit = max_edits(word)
        scored = [
            (edit_distance(word, term, limit=limit), -articles, term)
            for term, articles in vocabulary.near(word, limit)
            if term.isalpha() and term[0] == word[0]
        ]
        best = min((s for s in scored if s[0] <= limit), default=None)
        if best:
            corrections[word] = best[2]
    return corrections


def _vocabulary():
    return PostgresVocabulary() if connection.vendor == "postgresql" else SqliteVocabulary()


def _first_letter_range(word: str) -> tuple[str, str]:
    return word[0], chr(ord(word[0]) + 1)


class PostgresVocabulary:
    def known(self, words: list[str]) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM {PG_TABLE} WHERE word = ANY(%s) AND articles > 0",  # nosec B608
                [words],
            )
            return {row[0] for row in cursor.fetchall()}

    def near(self, word: str, limit: int) -> list[tuple[str, int]]:
        # The primary key is in C collation: a first letter is a range of the index.
        low, high = _first_letter_range(word)
        with connection.cursor() as cursor:
            cursor.execute(
                # Reviewed (B608): a constant table name; every value is a query parameter.
                f"SELECT word, articles FROM {PG_TABLE} WHERE word >= %s AND word < %s "  # nosec B608
                "AND length(word) BETWEEN %s AND %s AND articles > 0",
                [low, high, len(word) - limit, len(word) + limit],
            )
            return cursor.fetchall()


class SqliteVocabulary:
    def known(self, words: list[str]) -> set[str]:
        marks = ", ".join(["%s"] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(
                # Reviewed (B608): a constant table name and placeholders; the words are parameters.
                f"SELECT term FROM {SQLITE_TABLE} WHERE term IN ({marks})",  # nosec B608
                words,
            )
            return {row[0] for row in cursor.fetchall()}

    def near(self, word: str, limit: int) -> list[tuple[str, int]]:
        # fts5vocab serves a range of terms from the index itself.
        low, high = _first_letter_range(word)
        with connection.cursor() as cursor:
            cursor.execute(
                # Reviewed (B608): a constant table name; every value is a query parameter.
                f"SELECT term, doc FROM {SQLITE_TABLE} WHERE term >= %s AND term < %s "  # nosec B608
                "AND length(term) BETWEEN %s AND %s",
                [low, high, len(word) - limit, len(word) + limit],
            )
            return cursor.fetchall()
