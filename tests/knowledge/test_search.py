"""Search behaves the same on PostgreSQL and SQLite: run this file once with DATABASE_URL
unset (SQLite, FTS5) and once on PostgreSQL."""

import pytest
from django.db import connection

from apps.knowledge.models import ArticleStatus, Audience
from apps.knowledge.search import article_search, parse_query
from apps.knowledge.services import article_update

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def titles(result):
    return [hit.article.title for hit in result.hits]


def test_a_word_finds_the_article_with_a_highlighted_snippet(vpn_article, password_article):
    result = article_search(query="restart", user=None)
    assert titles(result) == ["Connect to the VPN from home"]
    assert "<mark>restart</mark>" in result.hits[0].snippet.lower()


def test_stemming_finds_other_forms_of_a_word(password_article):
    assert titles(article_search(query="passwords", user=None)) == ["Reset your password"]


def test_a_title_match_ranks_above_a_body_match(db):
    ArticleFactory(title="Office hours", body="Ask about the printer at reception.")
    ArticleFactory(title="Printer jams", body="Open tray two and pull the paper gently.")
    assert titles(article_search(query="printer", user=None))[0] == "Printer jams"


def test_summary_ranks_between_title_and_body(db):
    ArticleFactory(title="Body one", summary="Nothing", body="the scanner is in room 4")
    ArticleFactory(title="Summary one", summary="scanner settings", body="Nothing here")
    ArticleFactory(title="Scanner guide", summary="Nothing", body="Nothing here")
    assert titles(article_search(query="scanner", user=None)) == [
        "Scanner guide",
        "Summary one",
        "Body one",
    ]


def test_search_as_you_type_matches_a_word_prefix(password_article):
    result = article_search(query="passw", user=None)
    assert titles(result) == ["Reset your password"]
    assert result.matched_by == "prefix"
    # A fragment is no whole word: only the looser passes find it.
    assert article_search(query="passw", user=None, prefix=False).matched_by != "words"


def test_quoted_phrases_and_exclusions(vpn_article, password_article):
    assert titles(article_search(query='"reset link"', user=None)) == ["Reset your password"]
    # The words in the wrong order are no phrase: only the looser passes may find it.
    assert article_search(query='"link reset"', user=None).matched_by not in ("words", "prefix")
    assert titles(article_search(query="sign -vpn", user=None)) == ["Reset your password"]


def test_when_not_every_word_matches_the_best_partial_matches_come_back(
    vpn_article, password_article
):
    result = article_search(query="I forgot my password again", user=None)
    assert titles(result) == ["Reset your password"]


def test_or_finds_either(vpn_article, password_article):
    assert sorted(titles(article_search(query="vpn or password", user=None))) == [
        "Connect to the VPN from home",
        "Reset your password",
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "a & b | !c ( ) :* <-> '",
        "NEAR(vpn password) AND OR NOT",
        "title:vpn ^vpn vpn*",
        "🔥🔥 vpn 🙂",
        "'; DROP TABLE knowledge_article; --",
        "x" * 2000,
        "vpn " * 500,
        "\x00\x01 vpn",
        "   ",
        "-",
        '""',
    ],
)
def test_hostile_or_odd_queries_never_error(vpn_article, query):
    result = article_search(query=query, user=None)
    assert isinstance(result.hits, list)


def test_emoji_next_to_a_word_still_finds_it(vpn_article):
    assert titles(article_search(query="🔥vpn🔥", user=None)) == ["Connect to the VPN from home"]


def test_article_text_cannot_inject_markup_into_snippets(db):
    ArticleFactory(title="Escaping", body="Type <script>alert(1)</script> to test the kiosk")
    snippet = article_search(query="kiosk", user=None).hits[0].snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet or "alert" not in snippet


def test_only_published_articles_the_user_may_read_are_found(agent, requester, team, other_team):
    ArticleFactory(title="Toner public", body="toner")
    ArticleFactory(title="Toner draft", body="toner", status=ArticleStatus.DRAFT)
    ArticleFactory(title="Toner signed in", body="toner", audience=Audience.REQUESTERS)
    ArticleFactory(title="Toner agents", body="toner", audience=Audience.AGENTS)
    ArticleFactory(title="Toner my team", body="toner", audience=Audience.TEAM, team=team)
    ArticleFactory(title="Toner other team", body="toner", audience=Audience.TEAM, team=other_team)
    assert sorted(titles(article_search(query="toner", user=None))) == ["Toner public"]
    assert sorted(titles(article_search(query="toner", user=requester))) == [
        "Toner public",
        "Toner signed in",
    ]
    assert sorted(titles(article_search(query="toner", user=agent))) == [
        "Toner agents",
        "Toner my team",
        "Toner public",
        "Toner signed in",
    ]


def test_the_index_follows_edits(vpn_article, lead):
    article_update(
        article=vpn_article,
        actor=lead,
        data={"body": "Use the new Zscaler client instead."},
    )
    assert titles(article_search(query="zscaler", user=None)) == ["Connect to the VPN from home"]
    assert titles(article_search(query="GlobalConnect", user=None)) == []


def test_deleted_articles_leave_the_index(vpn_article):
    vpn_article.delete()
    assert article_search(query="vpn", user=None).hits == []


def test_typos_are_corrected_to_words_the_articles_use(password_article):
    # More in test_search_forgiving.py.
    result = article_search(query="pasword resett", user=None)
    assert titles(result) == ["Reset your password"]
    assert result.matched_by == "corrected"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram title pass is PG-only")
def test_titles_like_the_query_are_the_last_resort_on_postgresql(password_article):
    result = article_search(query="pasword resett", user=None, exact=True)
    assert titles(result) == ["Reset your password"]
    assert result.matched_by == "similar title"


def test_parse_query_keeps_words_phrases_and_exclusions():
    parsed = parse_query('vpn "reset link" -printer or 🔥')
    assert parsed.groups == [["vpn"], ["reset", "link"]]
    assert parsed.excluded == [["printer"]]
