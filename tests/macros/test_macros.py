"""Macros: canned replies an agent picks in the reply box, filled in for the ticket, whose field
changes are applied when the reply is sent. Only the agent's own, their teams' and everyone's."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.macros import demo
from apps.macros.models import Macro, Scope
from apps.macros.placeholders import render
from apps.tickets.models import Comment, Priority, Status, Tag, TicketEvent
from apps.tickets.services import ticket_update
from tests.conftest import signed_in
from tests.factories import TicketFactory, UserFactory, agent_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(team, requester):
    return TicketFactory(team=team, requester=requester, subject="VPN drops", status=Status.OPEN)


@pytest.fixture
def macros(agent, other_agent, team, other_team):
    def make(name, scope, **fields):
        return Macro.objects.create(name=name, body=f"Text of {name}", scope=scope, **fields)

    return {
        "mine": make("VPN reinstall", Scope.PERSONAL, owner=agent),
        "team": make("Password reset sent", Scope.TEAM, team=team),
        "everyone": make("Thanks, we're on it", Scope.GLOBAL),
        "colleague": make("VPN of a colleague", Scope.PERSONAL, owner=other_agent),
        "other_team": make("VPN at Networks", Scope.TEAM, team=other_team),
        "retired": make("VPN old", Scope.GLOBAL, is_active=False),
    }


def search(client, ticket, q=""):
    return client.get(reverse("macros:search", args=[ticket.reference]), {"q": q})


def names(response) -> list[str]:
    assert response.status_code == 200
    return [item["name"] for item in response.json()["results"]]


def reply(client, ticket, body, *, macro="", visibility="public"):
    url = reverse("workspace:reply", args=[ticket.reference])
    return client.post(url, {"body": body, "visibility": visibility, "macro": macro})


# -- Placeholders ----------------------------------------------------------------------------


def test_placeholders_are_filled_in_for_the_ticket_and_the_agent(ticket, agent):
    text = (
        "Hi {{ requester.first_name }}, about {{ticket.reference}} ({{ ticket.subject }}) "
        "with {{ ticket.team }}. {{ agent.first_name }}"
    )

    filled = render(text, ticket=ticket, agent=agent)

    assert filled == f"Hi Rita, about {ticket.reference} (VPN drops) with Service Desk. Alex"


def test_anything_but_the_offered_placeholders_stays_as_typed(ticket, agent):
    text = (
        "{{ requester.password }} {{ ticket.requester.email }} {{ settings.SECRET_KEY }} {% if %}"
    )

    assert render(text, ticket=ticket, agent=agent) == text


def test_a_macro_with_an_unknown_placeholder_is_refused(agent):
    macro = Macro(name="Typo", body="Hi {{ requester.frist_name }}", owner=agent)

    with pytest.raises(ValidationError, match=r"requester\.frist_name"):
        macro.full_clean()


@pytest.mark.parametrize(
    "fields",
    [
        {"scope": Scope.TEAM},  # no team
        {"scope": Scope.PERSONAL},  # no owner
        {"scope": Scope.GLOBAL, "owner": "agent"},
    ],
)
def test_the_scope_names_exactly_whose_macro_it_is(agent, fields):
    if fields.get("owner") == "agent":
        fields["owner"] = agent
    with pytest.raises(ValidationError):
        Macro(name="Scoped", body="Hi", **fields).full_clean()


# -- The picker's search ---------------------------------------------------------------------


def test_the_picker_lists_my_macros_my_teams_and_everyones_only(agent_client, ticket, macros):
    listed = names(search(agent_client, ticket))

    assert listed == ["VPN reinstall", "Password reset sent", "Thanks, we're on it"]


def test_the_picker_filters_by_name_first_then_by_text(agent_client, ticket, macros):
    macros["everyone"].body = "Please reconnect the VPN."
    macros["everyone"].save()

    assert names(search(agent_client, ticket, "vpn")) == ["VPN reinstall", "Thanks, we're on it"]
    assert names(search(agent_client, ticket, "pass")) == ["Password reset sent"]
    assert names(search(agent_client, ticket, "nothing like it")) == []


def test_the_picker_gives_the_text_filled_in_and_what_sending_changes(agent_client, ticket, agent):
    Macro.objects.create(
        name="Need info",
        body="Hi {{ requester.first_name }}, {{ ticket.reference }} needs a photo.",
        scope=Scope.PERSONAL,
        owner=agent,
        set_status=Status.PENDING,
        set_priority=Priority.HIGH,
        add_tags="photo, vpn",
    )

    [item] = search(agent_client, ticket, "need").json()["results"]

    assert item["text"] == f"Hi Rita, {ticket.reference} needs a photo."
    assert item["changes"] == [
        "Status → Pending on requester",
        "Priority → High",
        "+ tag photo",
        "+ tag vpn",
    ]
    assert item["internal"] is False


def test_only_agents_of_the_ticket_may_search_on_it(requester_client, other_agent, ticket, macros):
    assert search(requester_client, ticket).status_code == 302  # sent to the portal
    assert search(signed_in(other_agent), ticket).status_code == 404


def test_the_search_costs_the_same_queries_for_few_and_many_macros(agent, team, ticket):
    client = signed_in(agent)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert search(client, ticket).status_code == 200
        return len(queries)

    Macro.objects.create(name="One", body="x", scope=Scope.GLOBAL)
    few = cost()
    Macro.objects.bulk_create(
        [Macro(name=f"Team {i}", body="x", scope=Scope.TEAM, team=team) for i in range(30)]
    )
    many = cost()

    assert few == many
    assert many <= 6


# -- Sending a reply with a macro ------------------------------------------------------------


def test_a_reply_with_a_macro_applies_its_changes_through_the_ticket_services(
    agent_client, agent, ticket
):
    ticket_update(ticket=ticket, actor=agent, data={"tags": ["wifi"]})
    macro = Macro.objects.create(
        name="Need info",
        body="x",
        scope=Scope.PERSONAL,
        owner=agent,
        set_status=Status.PENDING,
        set_priority=Priority.URGENT,
        add_tags="vpn",
    )

    response = reply(agent_client, ticket, "Hi Rita, a photo please.", macro=macro.pk)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.PENDING, Priority.URGENT)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["vpn", "wifi"]
    assert ticket.comments.get().body == "Hi Rita, a photo please."
    change = TicketEvent.objects.filter(ticket=ticket, data__source="macro “Need info”").get()
    assert change.actor == agent
    assert change.changes["priority"] == {"before": Priority.NORMAL, "after": Priority.URGENT}


def test_a_reply_without_a_macro_changes_nothing_else(agent_client, ticket):
    reply(agent_client, ticket, "Looking into it.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.OPEN, Priority.NORMAL)


@pytest.mark.parametrize("which", ["colleague", "other_team", "retired"])
def test_a_macro_the_agent_may_not_use_is_refused_and_nothing_is_sent(
    agent_client, ticket, macros, which
):
    foreign = macros[which]
    foreign.set_priority = Priority.URGENT
    foreign.save()

    response = reply(agent_client, ticket, "Hello", macro=foreign.pk)

    assert response.status_code == 400
    assert "That macro is not available to you." in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL


@pytest.mark.parametrize("value", ["99999999", "abc", "-1", "1; DROP TABLE"])
def test_a_made_up_macro_is_refused(agent_client, ticket, value):
    response = reply(agent_client, ticket, "Hello", macro=value)

    assert response.status_code == 400
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_an_internal_macro_never_goes_to_the_requester(agent_client, agent, ticket, mailoutbox):
    macro = Macro.objects.create(
        name="Store impact", body="x", scope=Scope.PERSONAL, owner=agent, internal=True
    )

    response = reply(agent_client, ticket, "Payments: look at the logs", macro=macro.pk)

    assert response.status_code == 400
    assert "send it as an internal note" in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert mailoutbox == []
    ok = reply(agent_client, ticket, "Payments: look", macro=macro.pk, visibility="internal")
    assert ok.status_code == 302
    assert ticket.comments.get().is_internal


def test_a_refused_macro_change_takes_the_reply_back_too(agent_client, agent, ticket):
    """The reply and the macro's changes are one change: all or nothing."""
    macro = Macro.objects.create(
        name="Tag it", body="x", scope=Scope.PERSONAL, owner=agent, add_tags="vpn"
    )
    Macro.objects.filter(pk=macro.pk).update(add_tags="not a tag!")  # past the admin's check

    response = reply(agent_client, ticket, "Hello", macro=macro.pk)

    assert response.status_code == 400
    assert "is not a valid tag" in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not Tag.objects.filter(name="vpn").exists()


def test_the_page_keeps_the_chosen_macro_when_the_reply_comes_back(agent_client, agent, ticket):
    macro = Macro.objects.create(
        name="Need info", body="x", scope=Scope.PERSONAL, owner=agent, set_status=Status.PENDING
    )

    response = reply(agent_client, ticket, "", macro=macro.pk)  # no message: sent back

    page = response.content.decode()
    assert response.status_code == 400
    assert f'name="macro" value="{macro.pk}"' in page
    assert "Macro “Need info”: sending also sets Status → Pending on requester" in page


def test_the_reply_box_offers_the_picker(agent_client, ticket):
    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()

    assert 'data-search-url="' + reverse("macros:search", args=[ticket.reference]) in page
    assert "js/macros.js" in page


# -- The agent's own macros ------------------------------------------------------------------


def test_an_agent_creates_edits_and_deletes_a_personal_macro(agent_client, agent):
    data = {"name": "Reboot", "body": "Hi {{ requester.first_name }}, please reboot."}
    response = agent_client.post(reverse("macros:new"), {**data, "set_priority": "3"})
    assert response.status_code == 302
    macro = Macro.objects.get(name="Reboot")
    assert (macro.scope, macro.owner, macro.team, macro.set_priority) == (
        Scope.PERSONAL,
        agent,
        None,
        Priority.HIGH,
    )

    edit = reverse("macros:edit", args=[macro.pk])
    agent_client.post(edit, {**data, "name": "Reboot it", "internal": "on", "add_tags": "Wifi"})
    macro.refresh_from_db()
    assert (macro.name, macro.internal, macro.set_priority, macro.add_tags) == (
        "Reboot it",
        True,
        None,
        "Wifi",
    )
    assert macro.tag_names == ["wifi"]

    agent_client.post(reverse("macros:delete", args=[macro.pk]))
    assert not Macro.objects.filter(pk=macro.pk).exists()


def test_a_typo_in_a_placeholder_is_shown_beside_the_text(agent_client):
    response = agent_client.post(
        reverse("macros:new"), {"name": "Hi", "body": "Hi {{ requester.firstname }}"}
    )

    assert response.status_code == 400
    assert "Unknown placeholder {{ requester.firstname }}" in response.content.decode()
    assert not Macro.objects.exists()


def test_the_page_lists_mine_to_edit_and_the_shared_ones_to_read(agent_client, macros):
    response = agent_client.get(reverse("macros:list"))

    page = response.content.decode()
    assert [m.name for m in response.context["mine"]] == ["VPN reinstall"]
    assert [m.name for m in response.context["shared"]] == [
        "Password reset sent",
        "Thanks, we're on it",
    ]
    assert reverse("macros:edit", args=[macros["mine"].pk]) in page
    assert reverse("macros:edit", args=[macros["team"].pk]) not in page
    assert "VPN of a colleague" not in page
    assert "VPN at Networks" not in page


@pytest.mark.parametrize("which", ["colleague", "team", "everyone"])
def test_nobody_edits_or_deletes_a_macro_not_their_own_here(agent_client, macros, which):
    macro = macros[which]

    assert agent_client.get(reverse("macros:edit", args=[macro.pk])).status_code == 404
    posted = agent_client.post(reverse("macros:edit", args=[macro.pk]), {"name": "Mine now"})
    assert posted.status_code == 404
    assert agent_client.post(reverse("macros:delete", args=[macro.pk])).status_code == 404
    macro.refresh_from_db()
    assert macro.name != "Mine now"


def test_a_requester_has_no_macros_page(requester_client):
    assert requester_client.get(reverse("macros:list")).status_code == 302
    assert (
        requester_client.post(reverse("macros:new"), {"name": "x", "body": "y"}).status_code == 302
    )
    assert not Macro.objects.exists()


def test_the_demo_has_macros_for_everyone_a_team_and_an_agent(team, agent):
    from io import StringIO

    demo.configure(
        {"teams": {"service-desk": team}, "people": {"agent_t1": agent}, "stdout": StringIO()}
    )

    assert Macro.objects.filter(scope=Scope.GLOBAL).count() == 3
    assert Macro.objects.filter(scope=Scope.TEAM, team=team).count() == 2
    assert Macro.objects.filter(scope=Scope.PERSONAL, owner=agent).count() == 1
    requester = UserFactory(full_name="Rita Alvarez")
    ticket = TicketFactory(team=team, requester=requester)
    for macro in Macro.objects.all():
        assert "{{" not in render(macro.body, ticket=ticket, agent=agent)
    other = agent_of(team, email="second@example.com")
    assert Macro.objects.filter(owner=other).count() == 0
