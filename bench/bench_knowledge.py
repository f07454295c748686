"""Knowledge search at 100,000 published articles on PostgreSQL: p95 of 200 varied queries for
the help-centre search and for the new-ticket form's suggestions.

Seeds (once; later runs reuse it) 100,000 published articles of generated help-desk text with
bulk_create in batches — the stored tsvector column is computed by PostgreSQL on insert, as for
any save. Queries mix common and rare words, phrases, exclusions, half-typed words, typos,
emoji, operators and a 2,000-character paste; each is timed through ``article_search`` /
``article_suggest`` exactly as the views call them (ranked ids, then snippets).
"""

import random
import statistics
import sys
import time

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from apps.accounts.models import User
from apps.knowledge.models import Article, ArticleStatus, Audience, Section
from apps.knowledge.search import article_search
from apps.knowledge.selectors import article_suggest
from apps.tickets.models import Category
from bench import p95

ARTICLES = 100_000
BATCH = 5_000
QUERIES = 200
SLUG_PREFIX = "bench-kb-"
REQUESTER_EMAIL = "kb-requester@bench.switchboard.local"

THINGS = [
    "password",
    "account",
    "till",
    "printer",
    "scanner",
    "laptop",
    "vpn",
    "wifi",
    "router",
    "terminal",
    "receipt",
    "payslip",
    "mailbox",
    "calendar",
    "outlook",
    "badge",
    "screen",
    "dock",
    "keyboard",
    "headset",
    "phone",
    "tablet",
    "label",
    "price",
    "barcode",
    "invoice",
    "report",
    "backup",
    "folder",
    "license",
    "browser",
    "certificate",
    "token",
    "session",
    "drive",
    "camera",
    "projector",
    "voucher",
    "refund",
    "coupon",
    "shelf",
    "stock",
    "delivery",
    "pallet",
    "locker",
    "uniform",
    "roster",
]
VERBS = [
    "reset",
    "unlock",
    "install",
    "update",
    "configure",
    "connect",
    "restart",
    "replace",
    "repair",
    "sync",
    "export",
    "import",
    "print",
    "scan",
    "share",
    "restore",
    "remove",
    "migrate",
    "renew",
    "approve",
    "request",
    "cancel",
    "verify",
    "enable",
    "disable",
]
PROBLEMS = [
    "frozen",
    "offline",
    "slow",
    "declined",
    "missing",
    "expired",
    "locked",
    "broken",
    "blank",
    "duplicate",
    "wrong",
    "failed",
    "stuck",
    "unreadable",
    "disconnected",
    "corrupted",
    "denied",
    "delayed",
    "unavailable",
]
PLACES = [
    "store",
    "office",
    "warehouse",
    "home",
    "hotel",
    "branch",
    "kiosk",
    "depot",
    "headquarters",
]
FILLER = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "for",
    "on",
    "with",
    "your",
    "you",
    "is",
    "it",
    "this",
    "that",
    "when",
    "then",
    "check",
    "open",
    "choose",
    "select",
    "click",
    "wait",
    "minutes",
    "again",
    "first",
    "after",
    "before",
    "menu",
    "settings",
    "button",
    "screen",
    "page",
    "option",
    "new",
    "old",
    "same",
    "other",
    "each",
    "every",
    "if",
    "not",
    "can",
    "will",
    "should",
    "may",
    "try",
    "next",
    "step",
]


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "ta",
        "vo",
        "si",
        "pe",
        "da",
        "fi",
        "go",
        "hu",
        "ja",
        "ke",
        "li",
        "mo",
        "nu",
        "pa",
        "re",
        "so",
        "tu",
        "vi",
        "wa",
        "xe",
        "yo",
        "zu",
    ]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def _article(n: int, rng: random.Random, rare: list[str], sections: list[Section]) -> Article:
    thing, verb, problem, place = (
        rng.choice(THINGS),
        rng.choice(VERBS),
        rng.choice(PROBLEMS),
        rng.choice(PLACES),
    )
    title = f"{verb.capitalize()} the {thing} when it is {problem} at the {place} #{n}"
    summary = f"What to do when the {thing} is {problem}: {verb} it in a few steps."
    words = []
    for _ in range(rng.randint(40, 90)):
        roll = rng.random()
        pool = FILLER if roll < 0.5 else THINGS + VERBS + PROBLEMS if roll < 0.85 else rare
        words.append(rng.choice(pool))
    body = " ".join(words).capitalize() + "."
    return Article(
        title=title,
        slug=f"{SLUG_PREFIX}{n}",
        summary=summary,
        body=body,
        body_html=f"<p>{body}</p>",
        body_text=body,
        section=sections[n % len(sections)],
        audience=Audience.PUBLIC if n % 5 else Audience.REQUESTERS,
        status=ArticleStatus.PUBLISHED,
    )


def _seed() -> None:
    have = Article.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if have >= ARTICLES:
        return
    rng = random.Random(2026)
    rare = _pseudo_words(rng, 5000)
    sections = [
        Section.objects.get_or_create(slug=f"bench-{i}", defaults={"name": f"Bench section {i}"})[0]
        for i in range(8)
    ]
    started = time.perf_counter()
    for start in range(have, ARTICLES, BATCH):
        with transaction.atomic():
            Article.objects.bulk_create(
                [
                    _article(n, rng, rare, sections)
                    for n in range(start, min(start + BATCH, ARTICLES))
                ]
            )
        print(f"   seeded {min(start + BATCH, ARTICLES):,} articles", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_article")
    print(f"   seeding took {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _queries(rng: random.Random) -> list[str]:
    """200 queries people type: common and rare words, pairs, phrases, prefixes, typos, junk."""
    rare = _pseudo_words(random.Random(2026), 5000)
    makers = [
        lambda: rng.choice(THINGS),
        lambda: f"{rng.choice(THINGS)} {rng.choice(PROBLEMS)}",
        lambda: f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
        lambda: f"how do I {rng.choice(VERBS)} my {rng.choice(THINGS)} at the {rng.choice(PLACES)}",
        lambda: f'"{rng.choice(THINGS)} is {rng.choice(PROBLEMS)}"',
        lambda: f"{rng.choice(THINGS)} -{rng.choice(PROBLEMS)}",
        lambda: f"{rng.choice(THINGS)} or {rng.choice(THINGS)}",
        lambda: rng.choice(THINGS)[: rng.randint(3, 5)],
        lambda: f"{rng.choice(VERBS)} {rng.choice(THINGS)[:4]}",
        lambda: rng.choice(rare),
        lambda: f"{rng.choice(THINGS)} {rng.choice(rare)}",
        lambda: _typo(rng, rng.choice(THINGS + VERBS)),
        lambda: f"🔥 {rng.choice(THINGS)} 🙂",
        lambda: "a & b | !c ( ) :* <-> ' " + rng.choice(THINGS),
        lambda: " ".join(rng.choice(FILLER + THINGS) for _ in range(400))[:2000],
    ]
    return [makers[i % len(makers)]() for i in range(QUERIES)]


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i] + word[i:]


def _time(fn, queries: list[str]) -> list[float]:
    for query in queries[:10]:  # warm caches and plans
        fn(query)
    samples = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run() -> dict[str, float]:
    _seed()
    requester, _ = User.objects.get_or_create(email=REQUESTER_EMAIL)
    requester = User.objects.get(pk=requester.pk)
    category, _ = Category.objects.get_or_create(name="Bench KB category")
    rng = random.Random(7)
    queries = _queries(rng)
    visitor = AnonymousUser()
    search = _time(lambda q: article_search(query=q, user=visitor, limit=20).hits, queries)
    suggest = _time(
        lambda q: article_suggest(user=requester, subject=q, category_id=category.pk), queries
    )
    print(
        f"   search: median {statistics.median(search):.1f} ms, max {max(search):.1f} ms; "
        f"suggest: median {statistics.median(suggest):.1f} ms, max {max(suggest):.1f} ms",
        file=sys.stderr,
    )
    return {
        "kb_search_p95_ms_100k": round(p95(search), 3),
        "kb_suggest_p95_ms_100k": round(p95(suggest), 3),
    }
