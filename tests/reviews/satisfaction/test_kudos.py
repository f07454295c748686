"""Kudos: what a good rating's comment (or a marked reply) becomes, who reads them, the CSV, and
sharing them upward by e-mail, once per recipient."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.models import OutboxMessage
from apps.reviews.mentoring.models import Pairing
from apps.reviews.satisfaction.models import Kudos, KudosShare, KudosSource
from apps.reviews.satisfaction.services import kudos_from_reply, rating_submit
from apps.tickets.services import comment_add
from tests.conftest import signed_in
from tests.factories import UserFactory, agent_of

from .conftest import T0, open_and_resolve

pytestmark = pytest.mark.django_db


def rated(requester, agent, team, score="good", comment="", subject="Till 3 frozen"):
    ticket = open_and_resolve(requester=requester, agent=agent, team=team, subject=subject)
    rating_submit(ticket=ticket, person=requester, score=score, comment=comment, via="email")
    return ticket


@pytest.fixture
def desk(clock, requester, agent, lead, team, other_team, other_agent, triage_team):
    """Kudos for the Service Desk's agent and for a Networks agent."""
    mine = rated(requester, agent, team, comment="Alex fixed it in minutes!")
    theirs = rated(requester, other_agent, other_team, comment="Nia saved our opening day.")
    return {"mine": mine, "theirs": theirs}


@pytest.fixture
def manager(db):
    boss = UserFactory(email="maya@example.com", full_name="Maya Manager")
    UserFactory(email="report@example.com", manager=boss)
    return boss


def kudos_page(user, **params):
    return signed_in(user).get(reverse("reviews:kudos_list"), params)


def texts(response) -> list[str]:
    return [k.text for group in response.context["groups"] for k in group.kudos]


# --- Where kudos come from -------------------------------------------------------------------


def test_a_good_comment_is_kudos_and_a_change_to_bad_withdraws_it(
    clock, requester, agent, team, triage_team
):
    ticket = rated(requester, agent, team, comment="Thank you Alex, the till works again.")
    kudos = Kudos.objects.get()
    assert (kudos.ticket, kudos.agent, kudos.team) == (ticket, agent, team)
    assert (kudos.source, kudos.text) == (
        KudosSource.RATING,
        "Thank you Alex, the till works again.",
    )

    rating_submit(
        ticket=ticket, person=requester, score="good", comment="Still great.", via="portal"
    )
    assert Kudos.objects.get().text == "Still great."  # the same kudos, its words updated

    rating_submit(ticket=ticket, person=requester, score="bad", comment="Broke again.", via="email")
    assert not Kudos.objects.exists()


def test_a_good_rating_without_words_is_no_kudos(clock, requester, agent, team, triage_team):
    rated(requester, agent, team, comment="")
    assert not Kudos.objects.exists()


def test_a_requesters_reply_marked_by_a_lead_is_kudos(
    clock, requester, agent, lead, team, triage_team
):
    ticket = open_and_resolve(requester=requester, agent=agent, team=team)
    reply = comment_add(ticket=ticket, author=requester, body="You are the best desk ever.")
    kudos = kudos_from_reply(comment=reply, actor=lead)
    assert (kudos.source, kudos.agent, kudos.marked_by) == (KudosSource.REPLY, agent, lead)
    note = comment_add(ticket=ticket, author=agent, body="internal", internal=True)
    with pytest.raises(Exception, match="requester's public reply"):
        kudos_from_reply(comment=note, actor=lead)


# --- Who reads them --------------------------------------------------------------------------


def test_a_lead_sees_their_teams_kudos_and_no_other(desk, lead, admin_user):
    assert texts(kudos_page(lead)) == ["Alex fixed it in minutes!"]
    assert sorted(texts(kudos_page(admin_user))) == [
        "Alex fixed it in minutes!",
        "Nia saved our opening day.",
    ]
    # A team filter naming another team shows nothing of it.
    other = desk["theirs"].team_id
    assert texts(kudos_page(lead, team=other)) == ["Alex fixed it in minutes!"]


@pytest.mark.parametrize("who", ["agent", "other_agent", "requester"])
def test_agents_and_requesters_find_no_kudos_page(desk, who, request):
    person = request.getfixturevalue(who)
    assert kudos_page(person).status_code == 404
    assert signed_in(person).get(reverse("reviews:kudos_csv")).status_code == 404


def test_a_sponsor_reads_the_kudos_of_the_techs_they_mentor(desk, team, agent, lead, requester):
    sponsor = agent_of(team, tier=2, email="sam@example.com", full_name="Sam Sponsor")
    colleague = agent_of(team, email="cody@example.com", full_name="Cody Colleague")
    rated(requester, colleague, team, comment="Cody was patient with me.")
    pairing = Pairing.objects.create(team=team, sponsor=sponsor, created_by=lead)
    pairing.techs.set([agent])

    response = kudos_page(sponsor)
    assert texts(response) == ["Alex fixed it in minutes!"]
    assert response.context["may_share"] is False
    answer = signed_in(sponsor).post(
        reverse("reviews:kudos_share"), {"kudos": [Kudos.objects.first().pk]}
    )
    assert answer.status_code == 403

    pairing.is_active = False
    pairing.save()
    assert kudos_page(sponsor).status_code == 404


def test_filters_by_agent_and_period(desk, clock, requester, agent, lead, team):
    colleague = agent_of(team, email="cody@example.com", full_name="Cody Colleague")
    rated(requester, colleague, team, comment="Cody was patient with me.")
    clock.move_to(T0 + timedelta(days=120))

    assert texts(kudos_page(lead)) == []  # the default period is the last 13 weeks
    assert len(texts(kudos_page(lead, period="year"))) == 2
    assert texts(kudos_page(lead, period="year", agent=colleague.pk)) == [
        "Cody was patient with me."
    ]
    groups = kudos_page(lead, period="all").context["groups"]
    assert [(g.agent, g.count) for g in groups] == [(agent, 1), (colleague, 1)]


def test_the_csv_lists_the_kudos_and_is_safe_in_a_spreadsheet(
    clock, requester, agent, lead, team, triage_team
):
    ticket = rated(requester, agent, team, comment='=HYPERLINK("http://evil","thanks")')
    response = signed_in(lead).get(reverse("reviews:kudos_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "ticket", "agent", "team", "source", "words"]
    assert rows[1] == [
        "2026-03-02",
        ticket.reference,
        "Alex Agent",
        "Service Desk",
        "Satisfaction rating",
        '\'=HYPERLINK("http://evil","thanks")',
    ]


def test_the_page_costs_the_same_queries_for_few_or_many_kudos(
    clock, requester, agent, lead, team, triage_team, django_assert_max_num_queries
):
    client = signed_in(lead)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:kudos_list")).status_code == 200
        return len(queries.captured_queries)

    for n in range(2):
        rated(requester, agent, team, comment=f"Thanks {n}")
    few = count()
    for n in range(10):
        other = agent_of(team, email=f"a{n}@example.com", full_name=f"Agent {n}")
        rated(requester, other, team, comment=f"Merci {n}")
    assert count() == few
    # Session, user, seats, sponsorship, the filters' teams and agents, the kudos, the
    # managers, the shares and their recipients.
    with django_assert_max_num_queries(10):
        client.get(reverse("reviews:kudos_list"), {"period": "all"})


# --- Sharing upward --------------------------------------------------------------------------


def test_a_lead_shares_chosen_kudos_with_managers_one_email_each(
    desk, lead, manager, agent, django_capture_on_commit_callbacks
):
    mine = Kudos.objects.get(agent=agent)
    comment_add(ticket=desk["mine"], author=agent, body="SECRET internal note", internal=True)
    other = UserFactory(email="cfo@example.com", full_name="Carla Finance")

    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(lead).post(
            reverse("reviews:kudos_share"),
            {
                "kudos": [mine.pk],
                "managers": [manager.pk],
                "addresses": "CFO@example.com",
                "message": "Look what the stores say.",
            },
        )

    assert answer.status_code == 302
    share = KudosShare.objects.get()
    assert set(share.recipients.all()) == {manager, other}
    assert list(share.kudos.all()) == [mine]
    mails = OutboxMessage.objects.filter(kind="kudos_share").order_by("to")
    assert [m.to for m in mails] == ["cfo@example.com", "maya@example.com"]
    assert len({m.dedupe_key for m in mails}) == 2
    body = mails[0].body
    assert desk["mine"].reference in body
    assert "Alex fixed it in minutes!" in body
    assert "Alex Agent" in body
    assert "Look what the stores say." in body
    assert "SECRET" not in body
    assert "Nia saved" not in body  # not chosen
    # The page says what went where.
    page = kudos_page(lead)
    assert [(s.sent_by, s.kudos_count) for s in page.context["shares"]] == [(lead, 1)]
    [shared] = [k for g in page.context["groups"] for k in g.kudos if k.last_shared]
    assert shared == mine


def test_a_lead_cannot_share_kudos_they_cannot_see_nor_to_unknown_people(desk, lead, manager):
    theirs = Kudos.objects.get(ticket=desk["theirs"])
    client = signed_in(lead)
    url = reverse("reviews:kudos_share")

    refused = client.post(url, {"kudos": [theirs.pk], "managers": [manager.pk]})
    unknown = client.post(
        url,
        {"kudos": [Kudos.objects.get(ticket=desk["mine"]).pk], "addresses": "ghost@nowhere.test"},
    )
    nobody = client.post(url, {"kudos": [Kudos.objects.get(ticket=desk["mine"]).pk]})

    assert refused.status_code == unknown.status_code == nobody.status_code == 400
    assert "ghost@nowhere.test" in unknown.content.decode()
    assert "Choose who gets them." in nobody.content.decode()
    assert not KudosShare.objects.exists()
    assert not OutboxMessage.objects.filter(kind="kudos_share").exists()
