"""The queue's lists hold: no option listed twice in a dropdown, the tier quick filters and the
tier select always say the same, and "Take it" is offered (and done) only on tickets with work
left — on the web and in the API."""

import collections
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.tickets.models import Status
from apps.tickets.services import ticket_take
from tests.conftest import signed_in
from tests.factories import MembershipFactory, TicketFactory

from .api_support import api_as, tickets_url

pytestmark = pytest.mark.django_db

QUEUE = "/desk/"


class Controls(HTMLParser):
    """Every <select> (with its options) and every checked radio of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.selects, self.checked, self._select, self._option = [], {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = {"name": attrs.get("name"), "options": [], "selected": []}
            self.selects.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value", ""), ""]
            if "selected" in attrs:
                self._select["selected"].append(attrs.get("value", ""))
        elif tag == "input" and attrs.get("type") == "radio" and "checked" in attrs:
            self.checked[attrs["name"]] = attrs.get("value", "")

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._select["options"].append((self._option[0], self._option[1].strip()))
            self._option = None
        elif tag == "select":
            self._select = None

    def select(self, name):
        return next(s for s in self.selects if s["name"] == name)


def repeated(select) -> list:
    values = collections.Counter(value for value, _ in select["options"])
    labels = collections.Counter(label for _, label in select["options"])
    return [v for v, n in values.items() if n > 1] + [lb for lb, n in labels.items() if n > 1]


@pytest.fixture
def tiered(team, agent):
    return {tier: TicketFactory(team=team, tier=tier, status=Status.OPEN) for tier in (1, 2, 3)}


# --- No option twice --------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"status": ""}, {"sort": "oldest"}, {"status": "closed"}])
def test_no_dropdown_of_the_queue_lists_an_option_twice(agent, team, other_team, tiered, query):
    MembershipFactory(user=agent, team=other_team)  # two teams: the team select shows too
    page = signed_in(agent).get(QUEUE, query).content.decode()

    selects = Controls(page).selects
    assert {s["name"] for s in selects} >= {"status", "priority", "category", "team", "sort"}
    for select in selects:
        assert repeated(select) == [], select["name"]


def test_no_dropdown_of_the_ticket_page_lists_an_option_twice(agent, team, tiered, lookups):
    ticket = tiered[1]
    ticket.category = lookups["category"]
    ticket.save()
    page = signed_in(agent).get(reverse("workspace:ticket", args=[ticket.reference]))

    for select in Controls(page.content.decode()).selects:
        assert repeated(select) == [], select["name"]


# --- Quick filters and the tier select agree --------------------------------------------------


def shown(response) -> tuple[list, str]:
    controls = Controls(response.content.decode())
    return controls.select("tier")["selected"], controls.checked.get("flag")


def tiers_listed(response) -> set[int]:
    return {t.tier for t in response.context["page"].object_list}


def test_a_tier_chip_sets_the_tier_select(agent, tiered):
    response = signed_in(agent).get(QUEUE, {"flag": "tier-2"})

    assert shown(response) == (["2"], "tier-2")
    assert tiers_listed(response) == {2}


def test_the_tier_select_lights_its_chip(agent, tiered):
    response = signed_in(agent).get(QUEUE, {"tier": "3"})

    assert shown(response) == (["3"], "tier-3")
    assert tiers_listed(response) == {3}


def test_a_link_with_both_follows_the_chip(agent, tiered):
    response = signed_in(agent).get(QUEUE, {"flag": "tier-2", "tier": "1"})

    assert shown(response) == (["2"], "tier-2")
    assert tiers_listed(response) == {2}


def test_changing_the_select_moves_the_chip_along(agent, tiered):
    """The page showed chip Tier 2; the person picks Tier 1 in the select (htmx sends both)."""
    response = signed_in(agent).get(
        QUEUE, {"flag": "tier-2", "flag_was": "tier-2", "tier": "1"}, HTTP_HX_REQUEST="true"
    )

    assert tiers_listed(response) == {1}
    page = response.content.decode()
    assert (
        '<div class="chips" id="queue-chips" role="radiogroup" aria-label="Quick filters" hx-swap-oob="true">'
        in page
    )  # the chips follow
    assert shown(response) == (["1"], "tier-1")
    assert "flag_was" not in response["HX-Push-Url"]


def test_choosing_all_clears_the_tier_a_chip_had_set(agent, tiered):
    response = signed_in(agent).get(
        QUEUE, {"flag": "", "flag_was": "tier-2", "tier": "2"}, HTTP_HX_REQUEST="true"
    )

    assert tiers_listed(response) == {1, 2, 3}
    assert shown(response) == ([""], "")


def test_clearing_the_select_clears_its_chip(agent, tiered):
    response = signed_in(agent).get(
        QUEUE, {"flag": "tier-2", "flag_was": "tier-2", "tier": ""}, HTTP_HX_REQUEST="true"
    )

    assert tiers_listed(response) == {1, 2, 3}
    assert shown(response) == ([""], "")


# --- "Take it" only where there is work left --------------------------------------------------


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_take_it_is_not_offered_on_a_finished_ticket(agent, team, status):
    ticket = TicketFactory(team=team, status=status)

    page = signed_in(agent).get(reverse("workspace:ticket", args=[ticket.reference]))

    html = page.content.decode()
    assert "Take it" not in html
    assert "Assigned to you" not in html  # nor does it say something untrue instead
    assert reverse("workspace:take", args=[ticket.reference]) not in html


def test_take_it_is_offered_on_an_active_ticket(agent, team):
    ticket = TicketFactory(team=team, status=Status.PENDING)

    html = signed_in(agent).get(reverse("workspace:ticket", args=[ticket.reference]))

    assert "Take it" in html.content.decode()


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_taking_a_finished_ticket_is_refused_everywhere(agent, team, status):
    ticket = TicketFactory(team=team, status=status)

    with pytest.raises(ApplicationError, match=f"{ticket.reference} is {status}"):
        ticket_take(ticket=ticket, agent=agent)

    client = signed_in(agent)
    response = client.post(reverse("workspace:take", args=[ticket.reference]), follow=True)
    assert f"{ticket.reference} is {status}" in response.content.decode()
    response = client.post(reverse("tiers:take", args=[ticket.reference]), follow=True)
    assert f"{ticket.reference} is {status}" in response.content.decode()

    api = api_as(agent).post(tickets_url(ticket, "take"))
    assert api.status_code == 400
    assert f"{ticket.reference} is {status}" in str(api.json())

    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert ticket.status == status


def test_re_route_is_not_offered_or_done_on_a_finished_ticket(agent, team):
    ticket = TicketFactory(team=team, status=Status.RESOLVED)
    client = signed_in(agent)

    html = client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert reverse("routing:reroute", args=[ticket.reference]) not in html

    response = client.post(reverse("routing:reroute", args=[ticket.reference]), follow=True)
    assert f"{ticket.reference} is resolved" in response.content.decode()
    assert api_as(agent).post(tickets_url(ticket, "reroute")).status_code == 400
    ticket.refresh_from_db()
    assert ticket.team == team
