"""Deflection: the requester finds the answer while writing a request, and no ticket is needed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.knowledge.models import ArticleStatus, Deflection, DeflectionKind
from apps.knowledge.selectors import article_numbers
from apps.tickets.services import ticket_create

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_new_ticket_form_offers_matching_articles_for_the_subject(
    requester_client, password_article, vpn_article
):
    response = requester_client.get(reverse("kb:suggest"), {"subject": "forgot my password"})
    body = response.content.decode()
    assert "Reset your password" in body
    assert "VPN" not in body
    assert "?from=suggest" in body


def test_suggestions_put_the_chosen_category_first_and_work_without_a_subject(
    requester_client, lookups
):
    category = lookups["category"]
    general = ArticleFactory(title="Sign in to the intranet", body="sign in with your badge")
    till = ArticleFactory(title="Sign in to the till", body="sign in with your PIN")
    till.categories.add(category)
    body = requester_client.get(
        reverse("kb:suggest"), {"subject": "sign in", "category": category.pk}
    ).content.decode()
    assert body.index(till.title) < body.index(general.title)
    only_category = requester_client.get(
        reverse("kb:suggest"), {"subject": "", "category": str(category.pk)}
    ).content.decode()
    assert till.title in only_category
    assert general.title not in only_category


def test_the_portal_new_ticket_page_carries_the_suggestions_block(requester_client):
    body = requester_client.get(reverse("portal:new")).content.decode()
    assert reverse("kb:suggest") in body
    assert "from:#id_subject" in body


def test_this_solved_my_problem_counts_a_deflection_and_opens_no_ticket(
    requester_client, requester, password_article, admin_user
):
    response = requester_client.post(
        reverse("kb:solved", args=[password_article.slug]), {"q": "forgot password"}
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:tickets")
    deflection = Deflection.objects.get()
    assert (deflection.kind, deflection.user, deflection.query) == (
        DeflectionKind.SOLVED,
        requester,
        "forgot password",
    )
    assert not requester.requested_tickets.exists()
    assert article_numbers(user=admin_user).get(pk=password_article.pk).deflection_count == 1


def test_opening_a_suggestion_and_leaving_counts_as_a_viewed_deflection(
    requester_client, password_article, admin_user
):
    url = reverse("kb:article", args=[password_article.slug])
    page = requester_client.get(url, {"from": "suggest", "q": "password"})
    assert "This solved my problem" in page.content.decode()
    requester_client.get(url, {"from": "suggest", "q": "password"})  # reload: still one
    assert Deflection.objects.get().kind == DeflectionKind.VIEWED
    assert article_numbers(user=admin_user).get(pk=password_article.pk).deflection_count == 1


def test_a_viewed_deflection_is_cancelled_when_the_requester_opens_a_ticket_soon_after(
    requester_client, requester, password_article, lookups, admin_user
):
    requester_client.get(reverse("kb:article", args=[password_article.slug]), {"from": "suggest"})
    ticket = ticket_create(requester=requester, subject="Password", description="Still locked")
    deflection = Deflection.objects.get()
    assert deflection.cancelled_by == ticket
    assert article_numbers(user=admin_user).get(pk=password_article.pk).deflection_count == 0


def test_a_ticket_much_later_does_not_cancel_the_deflection(
    requester_client, requester, password_article
):
    requester_client.get(reverse("kb:article", args=[password_article.slug]), {"from": "suggest"})
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        ticket_create(requester=requester, subject="Printer", description="Jammed")
    assert Deflection.objects.get().cancelled_at is None


def test_saying_it_solved_it_after_a_cancelled_view_counts_again(
    requester_client, requester, password_article
):
    url = reverse("kb:article", args=[password_article.slug])
    requester_client.get(url, {"from": "suggest"})
    ticket_create(requester=requester, subject="Password", description="Locked")
    requester_client.post(reverse("kb:solved", args=[password_article.slug]))
    deflection = Deflection.objects.get()
    assert (deflection.kind, deflection.cancelled_at) == (DeflectionKind.SOLVED, None)


def test_suggestions_never_offer_unpublished_articles(requester_client):
    ArticleFactory(title="Password draft", body="password", status=ArticleStatus.DRAFT)
    body = requester_client.get(reverse("kb:suggest"), {"subject": "password"}).content.decode()
    assert "Password draft" not in body
