"""What no rule claims waits in triage; a triager routes it and turns that into a rule."""

from apps.routing.models import RoutingDecision, Rule
from apps.tickets.models import TicketEvent
from tests.conftest import signed_in


def test_triage_page_lists_waiting_tickets_in_a_fixed_number_of_queries(
    desk, open_ticket, triager, django_assert_max_num_queries
):
    for n in range(6):
        open_ticket(subject=f"Unclear problem {n}", category=desk["card"], product=desk["pos"])
    client = signed_in(triager)

    with django_assert_max_num_queries(12):
        response = client.get("/routing/triage/")

    assert response.status_code == 200
    assert response.content.decode().count("Make a rule from this") == 6


def test_an_agent_outside_triage_is_told_who_works_it(desk, open_ticket, agent_client):
    open_ticket(subject="Secret problem")

    response = agent_client.get("/routing/triage/")

    assert "Secret problem" not in response.content.decode()
    assert "worked by the Triage team" in response.content.decode()


def test_a_triager_routes_a_ticket_with_one_action(desk, open_ticket, triager):
    ticket = open_ticket(category=desk["card"], product=desk["pos"])

    response = signed_in(triager).post(
        f"/routing/triage/{ticket.reference}/route/", {"team": desk["payments"].pk, "tier": 2}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier) == (desk["payments"], 2)
    decision = ticket.routing_decisions.get(trigger="triage")
    assert decision.actor == triager
    assert decision.routed
    assert TicketEvent.objects.filter(ticket=ticket, kind="routed", actor=triager).exists()


def test_someone_outside_triage_cannot_route_its_tickets(desk, open_ticket, agent_client):
    ticket = open_ticket()

    response = agent_client.post(
        f"/routing/triage/{ticket.reference}/route/", {"team": desk["payments"].pk}
    )

    assert response.status_code == 404  # the agent may not even know the ticket exists
    ticket.refresh_from_db()
    assert ticket.team == desk["triage"]


def test_make_a_rule_from_a_triaged_ticket_and_the_next_one_routes_itself(
    desk, open_ticket, triager, admin_user
):
    first = open_ticket(category=desk["card"], product=desk["pos"])
    client = signed_in(triager)
    client.post(
        f"/routing/triage/{first.reference}/route/", {"team": desk["payments"].pk, "tier": 1}
    )

    page = client.get(f"/routing/triage/{first.reference}/rule/")
    assert "Card payment declined + Store POS → Payments Engineering" in page.content.decode()
    client.post(
        f"/routing/triage/{first.reference}/rule/",
        {"name": "Payments + Store POS", "use_category": "on", "use_product": "on",
         "team": desk["payments"].pk, "tier": 1, "enabled": "on"},
    )  # fmt: skip

    rule = Rule.objects.get(name="Payments + Store POS")
    assert rule.conditions == {"all": [
        {"field": "category", "op": "equals", "value": "Card payment declined"},
        {"field": "product", "op": "equals", "value": "Store POS"},
    ]}  # fmt: skip
    assert rule.enabled is False  # a triager proposes; an admin switches it on
    signed_in(admin_user).post(
        "/admin/routing/rule/", {"action": "enable", "_selected_action": [rule.pk]}
    )

    second = open_ticket(category=desk["card"], product=desk["pos"])
    assert second.team == desk["payments"]
    assert RoutingDecision.objects.get(ticket=second, trigger="created").routed


def test_reroute_from_the_ticket_panel_follows_todays_rules(desk, make_rule, open_ticket, triager):
    ticket = open_ticket(category=desk["wifi"])
    make_rule("Wi-Fi to networks", {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]},
              [{"action": "set_team", "params": {"team": desk["networks"].pk}}])  # fmt: skip

    response = signed_in(triager).post(f"/routing/tickets/{ticket.reference}/reroute/")

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.team == desk["networks"]
    assert ticket.routing_decisions.filter(trigger="reroute", actor=triager).exists()


def test_triage_is_in_the_navigation_of_the_triage_team_only(triager, agent):
    assert 'href="/routing/triage/"' in signed_in(triager).get("/desk/").content.decode()
    assert 'href="/routing/triage/"' not in signed_in(agent).get("/desk/").content.decode()
