"""The demo makes sense to a newcomer: loaded once for this module, it holds no subtask due
before its ticket existed, no template on a ticket of an unrelated problem, no demo-only
category offered to requesters, and only event kinds the history knows."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.knowledge.search import article_search
from apps.reviews.scoring.models import ScoringRound
from apps.subtasks.models import Subtask
from apps.tickets import events
from apps.tickets.forms import TicketNewForm
from apps.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

# The problem each demo subtask template is for.
TEMPLATE_PROBLEM = {
    "Wrong data after a bug": "Data correction",
    "Payroll correction": "Payroll discrepancy",
}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once in a transaction that is rolled back after the module's tests
    (each test runs in a savepoint inside it)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_every_kind_in_the_demo_history_is_declared():
    stored = set(TicketEvent.objects.values_list("kind", flat=True).distinct())
    assert stored
    assert stored <= set(events.declared_kinds())


def test_no_subtask_is_due_before_its_ticket_existed():
    subtasks = Subtask.objects.exclude(due_date=None).select_related("ticket")
    assert subtasks
    early = [
        (s.title, s.due_date, s.ticket.reference)
        for s in subtasks
        if s.due_date < timezone.localdate(s.ticket.created_at)
    ]
    assert early == []


def test_templates_are_only_on_tickets_of_their_problem():
    from_templates = Subtask.objects.exclude(template_item=None).select_related(
        "ticket__category", "template_item__template"
    )
    assert from_templates
    wrong = [
        (s.template_item.template.name, s.ticket.reference, str(s.ticket.category))
        for s in from_templates
        if s.ticket.category is None
        or s.ticket.category.name != TEMPLATE_PROBLEM[s.template_item.template.name]
    ]
    assert wrong == []


def test_a_requester_is_offered_no_demo_only_category():
    requester = User.objects.get(email="requester@example.com")
    offered = list(TicketNewForm().fields["category"].queryset)
    client = Client()
    client.force_login(requester)
    page = client.get("/portal/new/").content.decode()
    api = APIClient()
    api.force_authenticate(requester)
    listed = [c["name"] for c in api.get("/api/v1/categories/").json()]

    assert offered
    assert listed
    assert not [c for c in offered if "demo" in c.name.lower()]
    assert not [name for name in listed if "demo" in name.lower()]
    assert "SLA demo" not in page
    # The SLA demo ticket still carries it, for the agents watching it breach.
    assert Ticket.objects.filter(category__name__startswith="SLA demo").exists()


def test_the_demo_lead_opens_a_scoring_round_with_its_top_cases():
    lead = User.objects.get(email="lead@example.com")
    scoring_round = ScoringRound.objects.get()
    client = Client()
    client.force_login(lead)
    page = client.get(f"/reviews/scoring/rounds/{scoring_round.pk}/")
    results = page.context["results"]

    assert page.status_code == 200
    assert len(results.top) == 10
    assert 0.5 < results.scored / results.total < 0.8
    assert len(results.progress) == 3
    assert any(block.answers for block in results.free_text)
    # Nobody was given a ticket they worked while a colleague had room for it.
    own = scoring_round.cases.filter(
        Q(ticket__assignee=F("reviewer")) | Q(ticket__holder=F("reviewer"))
    )
    assert not own.exists()


def test_the_demo_sponsor_reviews_three_techs_and_has_two_kudos_to_mark():
    lead = User.objects.get(email="lead@example.com")
    client = Client()
    client.force_login(lead)
    page = client.get("/reviews/mentoring/week/")  # last week, by default

    assert page.status_code == 200
    [review] = page.context["pairings"]
    assert [t.tech.get_short_name() for t in review.techs] == ["Mia", "Sofia", "Tariq"]
    assert all(len(t.items) >= 2 for t in review.techs)
    items = [item for t in review.techs for item in t.items]
    assert any(item.entry and item.entry.summary for item in items)
    assert any(item.entry and item.entry.passed_on for item in items)
    assert any(item.entry and item.entry.coaching_note for item in items)
    thanks = [r for item in items for r in item.replies if r.body.startswith("Than")]
    assert sum(not r.is_kudos for r in thanks) >= 2
    assert page.content.decode().count("Mark as kudos") >= 2


def test_the_demo_requester_rates_the_resolved_ticket_from_its_email_signed_out():
    import re

    from apps.core.models import OutboxMessage
    from apps.reviews.satisfaction.models import Rating

    mails = OutboxMessage.objects.filter(
        kind="ticket_resolved", to="requester@example.com", body__contains="/reviews/ratings/"
    ).order_by("-pk")
    unrated = [m for m in mails if not Rating.objects.filter(ticket__pk=_ticket_pk(m)).exists()]
    assert unrated, "the demo leaves one resolved ticket of the requester to rate"
    mail = unrated[0]
    good = re.search(r"https?://[^/\s]+(/reviews/ratings/[^/\s]+/)", mail.body).group(1)
    browser = Client()  # nobody signed in
    assert browser.get(good).status_code == 200
    assert browser.post(good, {"score": "good", "comment": "Fast, thanks!"}).status_code == 302
    rating = Rating.objects.get(ticket__pk=_ticket_pk(mail))
    assert (rating.score, rating.via) == ("good", "email")


def _ticket_pk(mail) -> int:
    return Ticket.objects.by_reference(mail.ticket_reference).get().pk


def test_the_demo_dashboard_shows_satisfaction_and_kudos():
    lead = User.objects.get(email="lead@example.com")
    client = Client()
    client.force_login(lead)
    cards = {kpi.name: kpi for kpi, _ in client.get("/insights/").context["cards"]}
    assert 50 < cards["csat"].value < 90
    assert cards["ratings"].value > 20
    kudos = client.get("/reviews/kudos/")
    assert kudos.status_code == 200
    assert kudos.context["total"] > 5
    assert kudos.context["shares"]


def test_the_demo_help_centre_forgives_typos_and_store_words():
    requester = User.objects.get(email="requester@example.com")
    typo = article_search(query="pasword", user=requester)
    assert typo.corrected_query == "password"
    assert "Reset your password" in [hit.article.title for hit in typo.hits]
    # The demo's own synonyms: a "register" is what the stores call a till.
    register = article_search(query="register pin", user=requester)
    assert register.matched_by == "words"
    assert "Till login PIN not accepted" in [hit.article.title for hit in register.hits]
