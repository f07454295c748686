"""Search forgives how people write: misspelt words, synonyms, "wi-fi" / "wi fi" / "wifi".

Behaviour, not backend: CI runs this file on PostgreSQL (the suite) and again on SQLite
(.ci/run's "Search on SQLite" step), and both must give the same answers.
"""

import importlib

import pytest
from django.urls import reverse

from apps.knowledge.models import ArticleStatus, Audience, SynonymGroup
from apps.knowledge.search import article_search, parse_query, with_synonyms
from apps.knowledge.services import article_update
from apps.knowledge.spelling import edit_distance, spelling_corrections
from apps.knowledge.synonyms import synonym_index
from tests.conftest import signed_in

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

# The synonym groups every desk starts with (the data migration's own list).
DEFAULT_GROUPS = importlib.import_module(
    "apps.knowledge.migrations.0007_synonym_group"
).DEFAULT_GROUPS


def titles(result):
    return [hit.article.title for hit in result.hits]


@pytest.fixture
def default_synonyms(db):
    # Browser tests empty the database between tests, data migrations included: make sure.
    for terms, note in DEFAULT_GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


@pytest.fixture
def articles(db, default_synonyms):
    return {
        "password": ArticleFactory(
            title="Reset your password",
            summary="Forgot it? Get a reset link by e-mail.",
            body="Go to the sign-in page and choose *Forgot password*.",
        ),
        "outlook": ArticleFactory(
            title="Outlook will not open",
            summary="Start it in safe mode.",
            body="Hold Ctrl while you start Outlook and choose safe mode.",
        ),
        "wifi": ArticleFactory(
            title="Connect to the store Wi-Fi",
            summary="The network for staff devices.",
            body="Choose STAFF-NET and sign in with your badge number.",
        ),
        "mailbox": ArticleFactory(
            title="Open a shared mailbox",
            summary="Add the team's mailbox to your email.",
            body="Ask your lead for access first.",
        ),
        "two_factor": ArticleFactory(
            title="Set up two-factor sign-in",
            summary="A code from the authenticator app after your password.",
            body="Scan the QR code with the app.",
        ),
        "register": ArticleFactory(
            title="The register prints blank receipts",
            summary="Change the paper roll.",
            body="The thermal side faces up.",
        ),
    }


# Misspelt words


@pytest.mark.parametrize(
    ("typed", "corrected", "found"),
    [
        ("pasword", "password", "Reset your password"),
        ("outlok", "outlook", "Outlook will not open"),
        ("Outlok safe mode", "outlook safe mode", "Outlook will not open"),
        ("psasword", "password", "Reset your password"),  # two letters swapped
        ("recieptss", "receipts", "The register prints blank receipts"),  # two edits
    ],
)
def test_a_misspelt_word_is_corrected_to_one_the_articles_use(articles, typed, corrected, found):
    result = article_search(query=typed, user=None)
    assert result.matched_by == "corrected"
    assert result.corrected_query == corrected
    assert titles(result)[0] == found


def test_a_typo_in_a_title_and_a_word_is_corrected_on_every_database(password_article):
    result = article_search(query="pasword resett", user=None)
    assert titles(result) == ["Reset your password"]
    assert result.corrected_query == "password reset"


def test_words_the_articles_use_are_never_corrected(articles):
    # Both words are known: no article has both, so any of them will do, as typed.
    result = article_search(query="outlook receipts", user=None)
    assert result.matched_by == "any word"
    assert result.corrected_query == ""
    assert spelling_corrections(words=["outlook", "receipts", "password"]) == {}


def test_a_word_far_from_every_known_word_is_left_alone(articles):
    result = article_search(query="zebra", user=None)
    assert result.hits == []
    assert result.corrected_query == ""


def test_short_words_are_not_guessed_at(articles):
    assert spelling_corrections(words=["pas", "mde"]) == {}


def test_exact_searches_only_what_was_typed(articles):
    result = article_search(query="pasword", user=None, exact=True)
    assert result.matched_by != "corrected"
    assert result.corrected_query == ""


def test_the_closest_word_wins_then_the_most_used(db):
    ArticleFactory(title="Printer offline", body="printer")
    ArticleFactory(title="Printer jams", body="printer")
    ArticleFactory(title="Painter on site", body="painter")
    # "prnter" is one edit from "printer" and two from "painter".
    assert spelling_corrections(words=["prnter"]) == {"prnter": "printer"}
    # "pointer" is one edit from both: "printer" is in more articles.
    assert spelling_corrections(words=["pointer"]) == {"pointer": "printer"}


def test_the_vocabulary_follows_edits_and_deletions(articles, lead):
    article_update(
        article=articles["outlook"],
        actor=lead,
        data={"title": "Thunderbird will not open", "body": "Start Thunderbird in safe mode."},
    )
    assert spelling_corrections(words=["outlok"]) == {}
    assert spelling_corrections(words=["thunderbrid"]) == {"thunderbrid": "thunderbird"}
    articles["outlook"].delete()
    assert spelling_corrections(words=["thunderbrid"]) == {}


def test_a_correction_never_reveals_what_the_reader_may_not_read(db, requester):
    ArticleFactory(title="Quarterly forecast", status=ArticleStatus.DRAFT)
    ArticleFactory(title="Forecast for the agents", audience=Audience.AGENTS)
    result = article_search(query="forecats", user=requester)
    assert result.hits == []
    assert result.corrected_query == ""


def test_edit_distance_counts_a_swap_as_one_edit():
    assert edit_distance("pasword", "password", limit=2) == 1
    assert edit_distance("psasword", "password", limit=2) == 1
    assert edit_distance("pssaword", "password", limit=2) == 2
    assert edit_distance("outlok", "outlook", limit=2) == 1
    assert edit_distance("kitten", "sitting", limit=2) == 3  # over the limit: limit + 1
    assert edit_distance("same", "same", limit=1) == 0


# Synonyms and compounds


@pytest.mark.parametrize("typed", ["wifi", "Wi-Fi", "wi fi", "WLAN", "wifi staff"])
def test_wifi_however_it_is_written(articles, typed):
    result = article_search(query=typed, user=None)
    assert titles(result) == ["Connect to the store Wi-Fi"]
    assert result.matched_by == "words"


def test_a_compound_finds_the_word_written_together(db, default_synonyms):
    ArticleFactory(title="Wifi passwords for guests", body="Ask the store manager.")
    ArticleFactory(title="Login screen", body="Open the signin page.")
    assert titles(article_search(query="wi-fi guests", user=None)) == ["Wifi passwords for guests"]
    assert titles(article_search(query="sign-in page", user=None)) == ["Login screen"]


@pytest.mark.parametrize("typed", ["email", "e-mail", "e mail"])
def test_email_and_e_mail_are_one_word(articles, typed):
    found = titles(article_search(query=f"{typed} reset", user=None))
    assert found == ["Reset your password"]  # its summary says "e-mail"
    assert titles(article_search(query=f"shared {typed}", user=None)) == ["Open a shared mailbox"]


@pytest.mark.parametrize("typed", ["2fa", "2FA", "two factor", "two-factor", "mfa"])
def test_2fa_and_two_factor(articles, typed):
    assert titles(article_search(query=typed, user=None)) == ["Set up two-factor sign-in"]


def test_two_factor_finds_an_article_that_says_2fa(db, default_synonyms):
    ArticleFactory(title="Lost your 2FA phone?", body="Call the service desk.")
    assert titles(article_search(query="two-factor phone", user=None)) == ["Lost your 2FA phone?"]


def test_a_synonym_an_admin_adds_is_searched_at_once(articles):
    assert article_search(query="till receipts", user=None).matched_by != "words"
    SynonymGroup.objects.create(terms="till, register, pos")
    result = article_search(query="till receipts", user=None)
    assert titles(result) == ["The register prints blank receipts"]
    assert result.matched_by == "words"


def test_search_as_you_type_uses_synonyms_too(articles):
    result = article_search(query="mfa auth", user=None)  # "authenticator", half typed
    assert titles(result) == ["Set up two-factor sign-in"]
    assert result.matched_by == "prefix"


def test_search_as_you_type_finds_a_half_typed_compound(articles):
    result = article_search(query="two-fac", user=None)
    assert titles(result) == ["Set up two-factor sign-in"]
    assert result.matched_by == "prefix"


def test_quoted_phrases_are_searched_as_typed(articles):
    assert article_search(query='"wifi"', user=None).matched_by != "words"


def test_exclusions_still_exclude(articles):
    assert titles(article_search(query="password -reset", user=None)) == [
        "Set up two-factor sign-in"
    ]


def test_words_typed_apart_make_a_known_term(default_synonyms):
    parsed = with_synonyms(parse_query("wi fi two factor or vpn"), synonym_index())
    assert parsed.groups == [["wi", "fi"], ["two", "factor"], ["vpn"]]
    assert parsed.operators == ["AND", "AND", "OR"]
    assert ("wlan",) in parsed.alternatives[0]
    assert ("2fa",) in parsed.alternatives[1]
    assert parsed.alternatives[2] == [("vpn",)]


# The help centre


def test_the_help_centre_says_what_it_searched_instead(client, articles):
    response = client.get(reverse("kb:home"), {"q": "pasword"})
    page = response.content.decode()
    assert "Showing results for <strong>password</strong>" in page
    assert "Reset your password" in page
    assert "?q=pasword&amp;exact=1" in page


def test_the_help_centre_searches_exactly_what_was_typed_when_asked(client, articles):
    response = client.get(reverse("kb:home"), {"q": "pasword", "exact": "1"})
    assert "Showing results for" not in response.content.decode()


def test_the_correction_is_escaped(client, db):
    ArticleFactory(title="Scanner settings", body="scanner")
    response = client.get(reverse("kb:home"), {"q": "scaner <!-->"})
    page = response.content.decode()
    assert "Showing results for <strong>scanner &lt;!--&gt;</strong>" in page
    assert "<!-->" not in page


def test_the_api_names_the_correction(client, articles):
    answer = client.get("/api/v1/knowledge/search/", {"q": "outlok"}).json()
    assert answer["corrected_query"] == "outlook"
    assert answer["results"][0]["title"] == "Outlook will not open"
    exact = client.get("/api/v1/knowledge/search/", {"q": "outlok", "exact": "true"}).json()
    assert exact["corrected_query"] == ""


# The admin


def test_an_admin_lists_synonyms_and_they_are_tidied(admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("admin:knowledge_synonymgroup_add"),
        {"terms": " Till,  REGISTER\nPOS ; till", "note": "Store words"},
    )
    assert response.status_code == 302
    assert SynonymGroup.objects.get(note="Store words").terms == "till, register, pos"


def test_a_group_needs_two_different_terms(admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("admin:knowledge_synonymgroup_add"), {"terms": "wi-fi, wi fi", "note": ""}
    )
    assert response.status_code == 200
    assert "at least two different terms" in response.content.decode()
    assert not SynonymGroup.objects.filter(terms__startswith="wi-fi").exists()


def test_people_without_the_permission_cannot_edit_synonyms(lead):
    client = signed_in(lead)
    response = client.get(reverse("admin:knowledge_synonymgroup_changelist"))
    assert response.status_code in (302, 403)
