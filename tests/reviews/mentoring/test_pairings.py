"""Pairings: a lead of the team (or an admin) pairs a sponsor with up to three techs of that
team; a tech has one sponsor per team, a sponsor one pairing per team, and never themself."""

import pytest
from django.urls import reverse

from apps.accounts.models import Membership
from apps.core.errors import ApplicationError
from apps.reviews.mentoring.models import MAX_TECHS, Pairing
from apps.reviews.mentoring.services import pairing_create, pairing_update
from tests.factories import agent_of

from .conftest import client_for, text_of


def test_a_lead_pairs_a_sponsor_with_three_techs(people, desk, techs):
    pairing = pairing_create(
        actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=techs
    )
    assert MAX_TECHS == 3
    assert set(pairing.techs.all()) == set(techs)
    assert pairing.is_active
    assert pairing.created_by == people["lead"]


def test_an_admin_pairs_too(people, desk, techs):
    pairing_create(actor=people["admin"], team=desk, sponsor=people["sponsor"], techs=techs[:1])
    assert Pairing.objects.count() == 1


def test_at_most_three_techs(people, desk, techs):
    with pytest.raises(ApplicationError, match="at most 3"):
        pairing_create(
            actor=people["lead"],
            team=desk,
            sponsor=people["sponsor"],
            techs=[*techs, people["other"]],
        )
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("who", ["sponsor", "tariq", "net_lead", "nia"])
def test_only_a_lead_of_the_team_pairs(people, desk, techs, who):
    with pytest.raises(ApplicationError, match="Only a lead of Service Desk"):
        pairing_create(actor=people[who], team=desk, sponsor=people["sponsor"], techs=techs)
    assert not Pairing.objects.exists()


def test_sponsor_and_techs_must_be_agents_of_the_team(people, desk, techs):
    with pytest.raises(ApplicationError, match="Nia Network is not an agent of Service Desk"):
        pairing_create(
            actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=[people["nia"]]
        )
    with pytest.raises(ApplicationError, match="Rita Requester is not an agent"):
        pairing_create(actor=people["lead"], team=desk, sponsor=people["requester"], techs=techs)


def test_the_sponsor_is_not_among_the_techs_and_each_tech_once(people, desk, techs):
    with pytest.raises(ApplicationError, match="cannot sponsor themself"):
        pairing_create(
            actor=people["lead"],
            team=desk,
            sponsor=people["sponsor"],
            techs=[people["sponsor"], techs[0]],
        )
    with pytest.raises(ApplicationError, match="Each tech once"):
        pairing_create(
            actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=[techs[0], techs[0]]
        )
    with pytest.raises(ApplicationError, match="at least one tech"):
        pairing_create(actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=[])


def test_a_tech_has_one_active_sponsor_per_team(people, desk, networks, techs, pairing):
    with pytest.raises(ApplicationError, match="Tariq Haddad already has a sponsor in Service"):
        pairing_create(actor=people["lead"], team=desk, sponsor=people["other"], techs=[techs[0]])
    # In another team where he also works, he may have another sponsor.
    agent_of_networks = people["tariq"]
    Membership.objects.create(user=agent_of_networks, team=networks, tier=1)
    pairing_create(
        actor=people["net_lead"], team=networks, sponsor=people["nia"], techs=[agent_of_networks]
    )
    # Once the first pairing ends, someone else may sponsor him in the Service Desk.
    pairing_update(
        actor=people["lead"],
        pairing=pairing,
        sponsor=pairing.sponsor,
        techs=list(pairing.techs.all()),
        is_active=False,
    )
    pairing_create(actor=people["lead"], team=desk, sponsor=people["other"], techs=[techs[0]])
    assert Pairing.objects.filter(is_active=True).count() == 2


def test_a_sponsor_has_one_pairing_per_team(people, desk, pairing):
    newcomer = agent_of(desk, email="new@example.com", full_name="Nina Newcomer")
    with pytest.raises(ApplicationError, match="already sponsors techs in Service Desk"):
        pairing_create(actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=[newcomer])


def test_changing_a_pairing_checks_the_same_rules(people, desk, techs, pairing):
    pairing_update(
        actor=people["lead"], pairing=pairing, sponsor=people["sponsor"], techs=techs[:2]
    )
    assert set(pairing.techs.all()) == set(techs[:2])
    with pytest.raises(ApplicationError, match="at most 3"):
        pairing_update(
            actor=people["lead"],
            pairing=pairing,
            sponsor=people["sponsor"],
            techs=[*techs, people["other"]],
        )
    with pytest.raises(ApplicationError, match="Only a lead"):
        pairing_update(
            actor=people["sponsor"], pairing=pairing, sponsor=people["sponsor"], techs=techs
        )
    assert set(Pairing.objects.get().techs.all()) == set(techs[:2])


def test_the_pairings_page_offers_names_and_pairs_them(people, desk, techs):
    client = client_for(people["lead"])
    page = client.get(reverse("reviews:mentoring_pairings"))
    text = text_of(page)
    assert page.status_code == 200
    assert ">Tariq Haddad</option>" in text
    assert ">Sofia Sponsor</option>" in text
    assert "Nia Network" not in text  # another team's agent is not offered
    response = client.post(
        reverse("reviews:mentoring_pairings"),
        {"team": desk.pk, "sponsor": people["sponsor"].pk, "techs": [t.pk for t in techs]},
        follow=True,
    )
    assert "Paired: Sofia Sponsor mentors" in text_of(response)
    pairing = Pairing.objects.get()
    assert pairing.sponsor == people["sponsor"]
    assert set(pairing.techs.all()) == set(techs)

    refused = client.post(
        reverse("reviews:mentoring_pairings"),
        {"team": desk.pk, "sponsor": people["other"].pk, "techs": [techs[0].pk]},
        follow=True,
    )
    assert "already has a sponsor" in text_of(refused)
    assert Pairing.objects.count() == 1


def test_the_pairings_page_is_for_leads(people, desk):
    for who in ("sponsor", "tariq", "requester"):
        assert client_for(people[who]).get(reverse("reviews:mentoring_pairings")).status_code == 404
    # A lead of another team cannot pair this team's people by naming it.
    response = client_for(people["net_lead"]).post(
        reverse("reviews:mentoring_pairings"),
        {"team": desk.pk, "sponsor": people["sponsor"].pk, "techs": [people["tariq"].pk]},
    )
    assert response.status_code == 404
    assert not Pairing.objects.exists()
