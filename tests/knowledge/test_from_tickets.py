"""Knowledge from tickets: send an article, resolve by documentation, harvest a solution."""

import pytest
from django.urls import reverse

from apps.knowledge.models import ArticleStatus, Audience, LinkKind, TicketArticle
from apps.knowledge.search import article_search
from apps.knowledge.selectors import article_numbers, ticket_solution_search, weekly_numbers
from apps.knowledge.services import article_set_status
from apps.tickets.models import Status
from apps.tickets.services import comment_add, ticket_create, ticket_update

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, agent, team, lookups):
    ticket = ticket_create(
        requester=requester,
        subject="Outlook keeps asking for my password",
        description="Every few minutes Outlook shows a password prompt.\nSince Monday.",
        **lookups,
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket


def test_the_agent_panel_shows_on_the_ticket_page(agent_client, ticket):
    body = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert reverse("kb-desk:panel-search", args=[ticket.reference]) in body
    assert "Create article from this ticket" in body


def test_the_panel_searches_articles_and_solved_tickets(
    agent_client, agent, requester, team, ticket, password_article
):
    solved = ticket_create(
        requester=requester, subject="Password prompt loops", description="Outlook password"
    )
    ticket_update(ticket=solved, actor=agent, data={"team": team})
    comment_add(ticket=solved, author=agent, body="Cleared the credential manager entry.")
    ticket_update(ticket=solved, actor=agent, data={"status": Status.RESOLVED})
    response = agent_client.get(
        reverse("kb-desk:panel-search", args=[ticket.reference]), {"q": "password"}
    )
    body = response.content.decode()
    assert "Reset your password" in body
    assert solved.reference in body
    assert "Cleared the credential manager entry." in body
    assert ticket.subject not in body  # still open: not a solution


def test_solved_tickets_of_other_teams_stay_hidden(agent, other_agent, requester, other_team):
    hidden = ticket_create(requester=requester, subject="VPN broken", description="vpn")
    ticket_update(ticket=hidden, actor=other_agent, data={"team": other_team})
    ticket_update(ticket=hidden, actor=other_agent, data={"status": Status.RESOLVED})
    assert ticket_solution_search(user=agent, query="vpn") == []
    assert [r["ticket"] for r in ticket_solution_search(user=other_agent, query="vpn")] == [hidden]


def test_sending_an_article_replies_with_its_link_and_resolving_counts_as_documentation(
    agent_client, agent, ticket, password_article, admin_user
):
    response = agent_client.post(
        reverse("kb-desk:panel-send", args=[ticket.reference, password_article.pk])
    )
    assert response.status_code == 302
    reply = ticket.comments.get()
    assert not reply.is_internal
    assert f"/help/{password_article.slug}/" in reply.body
    link = TicketArticle.objects.get(ticket=ticket)
    assert (link.kind, link.resolved_at) == (LinkKind.SENT, None)

    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    link.refresh_from_db()
    assert link.resolved_at is not None
    assert article_numbers(user=admin_user).get(pk=password_article.pk).resolved_ticket_count == 1
    assert sum(w["resolved_by_documentation"] for w in weekly_numbers()) == 1
    assert ticket.events.filter(kind="article_linked").exists()


def test_reopening_undoes_resolved_by_documentation(agent, requester, ticket, password_article):
    from apps.knowledge.services import article_link_send

    article_link_send(ticket=ticket, article=password_article, agent=agent)
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    comment_add(ticket=ticket, author=requester, body="Still asks, sorry.")
    assert TicketArticle.objects.get(ticket=ticket).resolved_at is None


def test_an_article_the_requester_cannot_read_is_not_sent(agent_client, ticket):
    internal = ArticleFactory(title="Agents only", audience=Audience.AGENTS)
    agent_client.post(reverse("kb-desk:panel-send", args=[ticket.reference, internal.pk]))
    assert not ticket.comments.exists()
    assert not TicketArticle.objects.exists()


def test_an_agent_of_another_team_cannot_send_on_the_ticket(other_agent, ticket, password_article):
    from tests.conftest import signed_in

    response = signed_in(other_agent).post(
        reverse("kb-desk:panel-send", args=[ticket.reference, password_article.pk])
    )
    assert response.status_code == 404
    assert not ticket.comments.exists()


def test_a_resolved_ticket_becomes_a_draft_a_lead_publishes_and_it_is_found(
    agent_client, agent, lead, requester, ticket
):
    comment_add(
        ticket=ticket,
        author=agent,
        body="Remove the stale entry in Credential Manager, then restart Outlook.",
    )
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    response = agent_client.post(reverse("kb-desk:panel-draft", args=[ticket.reference]))
    link = TicketArticle.objects.get(ticket=ticket, kind=LinkKind.SOURCE)
    article = link.article
    assert response.url == reverse("kb-desk:edit", args=[article.pk])
    assert article.status == ArticleStatus.DRAFT
    assert article.source_ticket == ticket
    assert article.title == ticket.subject
    assert "## Problem" in article.body
    assert "password prompt" in article.body
    assert "Credential Manager" in article.body
    assert list(article.categories.all()) == [ticket.category]
    assert article_search(query="credential manager", user=requester).hits == []

    article_set_status(article=article, actor=lead, status=ArticleStatus.PUBLISHED)
    hits = article_search(query="credential manager", user=requester).hits
    assert [h.article for h in hits] == [article]
