"""Ranked article search: one interface, a backend per database.

PostgreSQL: a stored generated ``search_vector`` column (title weight A, summary B, body C; see
migration 0002) with a GIN index, ``websearch_to_tsquery`` so quotes, ``or`` and ``-word`` mean
what people expect and nothing they type is a syntax error, ``ts_headline`` snippets, then a
prefix pass (search-as-you-type) and a pg_trgm pass over titles for typos.
SQLite: an FTS5 table kept by triggers, a MATCH expression built from quoted tokens only,
``bm25`` with the same weights, ``snippet()``, then the prefix pass.

On both, and alike: each typed term is looked for with its synonyms (synonyms.py) and, when
neither whole words nor prefixes find anything, words no article uses are corrected to the
nearest ones articles do use (spelling.py) before any single word is enough.

Callers use ``article_search`` and never see which backend answered.
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Article
from .permissions import readable_articles_q
from .rendering import MARK_END, MARK_START, highlight
from .spelling import spelling_corrections
from .synonyms import WORD, Variant, synonym_index, term_key, variants_of

MAX_QUERY_CHARS = 300  # longer input is cut, not refused: pasted error logs still search
# Only this much of a body is indexed and quoted (migration 0005): a tsvector holds at most 1 MB,
# and ts_headline reads the whole text it is given.
SEARCH_TEXT_MAX_CHARS = 100_000
MAX_TERMS = 8
# PostgreSQL ranks every title/summary match, but only this many body-only matches.
BODY_CANDIDATES = 500
# When any word may match, only the longest (usually the rarest) few are looked for.
ANY_WORD_TERMS = 6
# Typed apart, these many words may still be one term ("wi fi", "two factor").
MAX_TERM_WORDS = 3
TOKEN = re.compile(r'-?"[^"]*"?|\S+')


@dataclass
class ParsedQuery:
    text: str  # cleaned text handed to websearch_to_tsquery
    groups: list[list[str]] = field(default_factory=list)  # each a word or a phrase
    operators: list[str] = field(default_factory=list)  # "AND"/"OR" before each group
    excluded: list[list[str]] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)  # a "phrase": looked for as typed
    # Per group, the ways to write it (the group itself first): see with_synonyms().
    variants: list[list[Variant]] = field(default_factory=list)

    @property
    def websearch_text(self) -> str:
        """The parsed query in websearch_to_tsquery's syntax, at most MAX_TERMS terms: a pasted
        page of text must not become an AND of hundreds of common words."""
        parts = []
        for operator, group in zip(self.operators, self.groups, strict=True):
            if parts and operator == "OR":
                parts.append("or")
            parts.append(group[0] if len(group) == 1 else '"' + " ".join(group) + '"')
        parts += ["-" + ('"' + " ".join(g) + '"' if len(g) > 1 else g[0]) for g in self.excluded]
        return " ".join(parts)

    @property
    def words(self) -> list[str]:
        return [w for g in self.groups for w in g]

    @property
    def alternatives(self) -> list[list[Variant]]:
        return self.variants or [[tuple(g)] for g in self.groups]

    @property
    def has_variants(self) -> bool:
        return any(len(v) > 1 for v in self.alternatives)

    @property
    def extra_variants(self) -> list[Variant]:
        """The variants beyond what was typed, for the "any word" pass."""
        return [v for variants in self.alternatives for v in variants[1:]]

    @property
    def is_empty(self) -> bool:
        return not self.groups


def parse_query(raw: str) -> ParsedQuery:
    """Split what someone typed into words, "quoted phrases", ``or`` and ``-exclusions``;
    anything else (operators, emoji, punctuation) is dropped, never passed to the engine."""
    text = "".join(ch for ch in (raw or "")[:MAX_QUERY_CHARS] if ch.isprintable())
    parsed = ParsedQuery(text=text)
    pending_or = False
    for token in TOKEN.findall(text):
        negative = token.startswith("-") and len(token) > 1
        words = [w.lower() for w in WORD.findall(token)]
        if not words:
            continue
        if negative:
            parsed.excluded.append(words)
            continue
        if token.lower() == "or" and parsed.groups:
            pending_or = True
            continue
        if len(parsed.groups) >= MAX_TERMS:
            break
        parsed.operators.append("OR" if pending_or else "AND")
        parsed.groups.append(words)
        parsed.quoted.append(token.startswith('"'))
        pending_or = False
    return parsed


def with_synonyms(parsed: ParsedQuery, index: dict[str, list[Variant]]) -> ParsedQuery:
    """The query with each term's variants: a compound run together ("wi-fi" → "wifi"), its
    synonyms, and words typed apart that together make a known term ("wi fi", "two factor")
    taken as that term."""
    out = ParsedQuery(text=parsed.text, excluded=parsed.excluded)
    groups, i = parsed.groups, 0
    while i < len(groups):
        span = _known_run(parsed, i, index)
        words = tuple(w for g in groups[i : i + span] for w in g)
        out.operators.append(parsed.operators[i])
        out.groups.append(list(words))
        out.quoted.append(parsed.quoted[i])
        out.variants.append(
            [words]
            if parsed.quoted[i]
            else variants_of(words, index=index, compound=span > 1 or len(words) > 1)
        )
        i += span
    return out


def _known_run(parsed: ParsedQuery, start: int, index: dict) -> int:
    """How many single words from ``start``, typed apart, make one synonym's term (1: none)."""
    for span in range(MAX_TERM_WORDS, 1, -1):
        run = range(start, start + span)
        if run.stop > len(parsed.groups):
            continue
        if any(len(parsed.groups[j]) > 1 or parsed.quoted[j] for j in run):
            continue
        if any(parsed.operators[j] == "OR" for j in run[1:]):
            continue
        if term_key(parsed.groups[j][0] for j in run) in index:
            return span
    return 1


@dataclass
class Hit:
    article: Article
    snippet: str  # safe HTML: escaped text with <mark> around matches
    rank: float


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    matched_by: str  # "words", "prefix", "corrected", "any word", "similar title" or ""
    # With "corrected": what was searched instead of the query ("password" for "pasword").
    corrected_query: str = ""

    def __len__(self):
        return len(self.hits)


def article_search(
    *,
    query: str,
    user,
    limit: int = 10,
    prefix: bool = True,
    base: QuerySet | None = None,
    exact: bool = False,
) -> SearchResult:
    """Published articles ``user`` may read that match ``query``, best first.

    Every pass looks for each term with its synonyms. Tries whole words first, then
    (``prefix``) every word as a prefix — what search-as-you-type needs — then, unless
    ``exact``, the query with misspelt words corrected, then any of the words, then on
    PostgreSQL titles similar to the query."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return SearchResult(query=parsed.text, hits=[], matched_by="")
    synonyms = synonym_index()
    searched = with_synonyms(parsed, synonyms)
    backend = _backend()
    qs = (base if base is not None else Article.objects.all()).filter(readable_articles_q(user))
    qs = qs.select_related("section")
    for stage in backend.stages(prefix=prefix):
        if stage == "any word" and not exact:
            corrected = _corrected(searched, synonyms)
            if corrected is not None:
                hits = backend.run(qs, corrected, "words", limit)
                if hits:
                    return SearchResult(
                        query=parsed.text,
                        hits=hits,
                        matched_by="corrected",
                        corrected_query=corrected.text,
                    )
                searched = corrected  # the looser passes, too, look for the corrected words
        hits = backend.run(qs, searched, stage, limit)
        if hits:
            return SearchResult(query=parsed.text, hits=hits, matched_by=stage)
    return SearchResult(query=parsed.text, hits=[], matched_by="")


def _corrected(searched: ParsedQuery, synonyms: dict) -> ParsedQuery | None:
    """The query with each word no article uses replaced by the nearest one that is used, or
    None when no word needs (or has) a correction. Terms with synonyms are left alone."""
    plain = [v[0] for v in searched.alternatives if len(v) == 1]
    corrections = spelling_corrections(words=[w for g in plain for w in g], skip=STOP_WORDS)
    if not corrections:
        return None
    text = WORD.sub(lambda m: corrections.get(m.group().lower(), m.group()), searched.text)
    return with_synonyms(parse_query(text), synonyms)


# FTS5 has no stop words; when any word may match, these would match nearly everything.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cannot",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


def _stages(prefix: bool) -> list[str]:
    """Strictest first: all words, all words as prefixes (typing), then any of the words."""
    return ["words", "prefix", "any word"] if prefix else ["words", "any word"]


def _any_terms(parsed: ParsedQuery, prefix_mark: str) -> list[str]:
    """Every word once (the longest few); the last one also as a prefix (it may be half
    typed)."""
    words = list(dict.fromkeys(parsed.words))
    if len(words) > ANY_WORD_TERMS:
        keep = set(sorted(words, key=len, reverse=True)[:ANY_WORD_TERMS])
        words = [w for w in words if w in keep]
    if words and len(words[-1]) >= 3:
        words[-1] += prefix_mark
    return words


def _backend():
    return PostgresSearch() if connection.vendor == "postgresql" else SqliteSearch()


class PostgresSearch:
    VECTOR = "knowledge_article.search_vector"
    HEADLINE_OPTIONS = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=28, MinWords=12, '
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def stages(self, *, prefix: bool) -> list[str]:
        return [*_stages(prefix), "similar title"]

    def _tsquery(self, parsed: ParsedQuery, stage: str) -> tuple[str, list]:
        if stage == "words" and not parsed.has_variants:
            return "websearch_to_tsquery('english', %s)", [parsed.websearch_text]
        # Only words (letters and digits) reach to_tsquery, so nothing typed is its syntax.
        excluded = "".join(f" & !({' <-> '.join(g)})" for g in parsed.excluded)
        if stage == "any word":
            # Stop words drop out of to_tsquery by themselves.
            terms = _any_terms(parsed, ":*") + [
                f"({' <-> '.join(v)})" for v in parsed.extra_variants
            ]
            return "to_tsquery('english', %s)", [f"({' | '.join(terms)}){excluded}"]
        # Each term as any of its variants, phrases kept as phrases, with "prefix" every word
        # a prefix: "((reset:* <-> link:*)) & (passw:*)".
        mark = ":*" if stage == "prefix" else ""
        terms = ""
        for operator, variants in zip(parsed.operators, parsed.alternatives, strict=True):
            either = " | ".join(f"({' <-> '.join(w + mark for w in v)})" for v in variants)
            if terms:
                terms += " | " if operator == "OR" else " & "
            terms += f"({either})"
        return "to_tsquery('english', %s)", [f"({terms}){excluded}"]

    def run(self, qs: QuerySet, parsed: ParsedQuery, stage: str, limit: int) -> list[Hit]:
        if stage == "similar title":
            return self._similar(qs, parsed, limit)
        tsquery, params = self._tsquery(parsed, stage)
        # Title/summary matches first (few, and they outrank body matches by weight); only if
        # they do not fill the page, a bounded sample of body-only matches.
        rows = list(
            # Reviewed (B610): fixed SQL; the search text is a query parameter.
            qs.extra(where=[f"knowledge_article.title_vector @@ {tsquery}"], params=params)  # nosec B610
            .annotate(
                # Reviewed (B611): fixed SQL; the search text is a query parameter.
                rank=RawSQL(f"ts_rank_cd(knowledge_article.title_vector, {tsquery}, 1)", params)  # nosec B611
            )
            .order_by("-rank", "-view_count", "id")[:limit]
        )
        if len(rows) < limit:
            rest = qs.exclude(pk__in=[a.pk for a in rows])
            rows += self._ranked(
                rest, "search_vector", tsquery, params, limit - len(rows), BODY_CANDIDATES
            )
        snippets = self._headlines([a.pk for a in rows], tsquery, params)
        return [
            Hit(article=a, snippet=highlight(snippets.get(a.pk, "")), rank=a.rank) for a in rows
        ]

    def _ranked(self, qs, column, tsquery, params, limit, candidates) -> list[Article]:
        """Rank at most ``candidates`` rows matching in ``column`` by that column's vector: the
        cost of a query stays bounded however common its words are."""
        # Two plain queries rather than an IN (subquery): the raw column name would resolve to
        # the outer table inside a subquery.
        matching = list(
            # Reviewed (B610): fixed SQL; the search text is a query parameter.
            qs.extra(where=[f"knowledge_article.{column} @@ {tsquery}"], params=params)  # nosec B610
            .order_by()
            .values_list("pk", flat=True)[:candidates]
        )
        if not matching:
            return []
        return list(
            Article.objects.filter(pk__in=matching)
            .select_related("section")
            # Reviewed (B611): fixed SQL; the search text is a query parameter.
            .annotate(rank=RawSQL(f"ts_rank_cd(knowledge_article.{column}, {tsquery}, 1)", params))  # nosec B611
            .order_by("-rank", "-view_count", "id")[:limit]
        )

    def _headlines(self, ids: list[int], tsquery: str, params: list) -> dict[int, str]:
        # A second, tiny query: ts_headline is costly, so only for the rows shown.
        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                # Reviewed (B608): SQL text built from our own identifiers; every value is a query parameter.
                "SELECT id, ts_headline('english', "  # nosec B608
                f"left(body_text, {SEARCH_TEXT_MAX_CHARS}), {tsquery}, %s) "
                "FROM knowledge_article WHERE id = ANY(%s)",
                [*params, self.HEADLINE_OPTIONS, ids],
            )
            return dict(cursor.fetchall())

    def _similar(self, qs: QuerySet, parsed: ParsedQuery, limit: int) -> list[Hit]:
        # Each word (3+ letters) against the title's words: "pasword" still finds "password".
        # "<%" is pg_trgm's word-similarity operator, served by the trigram GIN index on title.
        words = [w for w in dict.fromkeys(parsed.words) if len(w) >= 3][:6]
        if not words:
            return []
        rank = " + ".join(["word_similarity(%s, knowledge_article.title)"] * len(words))
        where = " OR ".join(["%s <%% knowledge_article.title"] * len(words))
        rows = list(
            # Reviewed (B610, B611): fixed SQL; the search text is a query parameter.
            qs.annotate(rank=RawSQL(rank, words))  # nosec B610 B611
            .extra(where=[f"({where})"], params=words)
            .order_by("-rank", "id")[:limit]
        )
        return [Hit(article=a, snippet=highlight(a.summary), rank=a.rank) for a in rows]


class SqliteSearch:
    TABLE = "knowledge_article_fts"
    WEIGHTS = "10.0, 4.0, 1.0"  # title, summary, body_text — bm25 is lower-is-better

    def stages(self, *, prefix: bool) -> list[str]:
        return _stages(prefix)

    @staticmethod
    def _quote(words: list[str], prefix: bool = False) -> str:
        # In a phrase only the last word can be a prefix in FTS5; single words always can.
        return '"' + " ".join(words) + '"' + ("*" if prefix else "")

    def match_expression(self, parsed: ParsedQuery, stage: str) -> str:
        # Only quoted tokens reach FTS5, so nothing typed can be read as its syntax.
        if stage == "any word":
            terms = [t for t in _any_terms(parsed, "*") if t.strip('"*') not in STOP_WORDS]
            expression = " OR ".join(
                [
                    f'"{t[:-1]}"*' if t.endswith("*") else f'"{t}"'
                    for t in terms or _any_terms(parsed, "*")
                ]
                + [self._quote(list(v)) for v in parsed.extra_variants]
            )
            for group in parsed.excluded:
                expression = f"({expression}) NOT {self._quote(group)}"
            return expression
        parts = []
        for operator, variants in zip(parsed.operators, parsed.alternatives, strict=True):
            if parts:
                # Spelled out: FTS5 reads no implicit AND after a parenthesis.
                parts.append("OR" if operator == "OR" else "AND")
            either = [self._quote(list(v), prefix=stage == "prefix") for v in variants]
            parts.append(either[0] if len(either) == 1 else f"({' OR '.join(either)})")
        expression = " ".join(parts)
        for group in parsed.excluded:
            expression = f"({expression}) NOT {self._quote(group)}"
        return expression

    def run(self, qs: QuerySet, parsed: ParsedQuery, stage: str, limit: int) -> list[Hit]:
        match = self.match_expression(parsed, stage)
        rows = list(
            # Reviewed (B610): fixed SQL; the search text is a query parameter.
            qs.extra(  # nosec B610
                tables=[self.TABLE],
                where=[f"{self.TABLE}.rowid = knowledge_article.id", f"{self.TABLE} MATCH %s"],
                params=[match],
                select={
                    "rank": f"bm25({self.TABLE}, {self.WEIGHTS})",
                    "snippet": f"snippet({self.TABLE}, 2, char(2), char(3), ' … ', 24)",
                },
            ).order_by("rank", "-view_count", "id")[:limit]
        )
        return [Hit(article=a, snippet=highlight(a.snippet), rank=-a.rank) for a in rows]
