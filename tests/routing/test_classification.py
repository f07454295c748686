"""Owning teams record root causes; leads see auto-routing share and the Pareto of causes."""

import pytest

from apps.core.errors import ApplicationError
from apps.routing.models import RootCause, TeamRoutingSettings, TicketClassification
from apps.routing.views import panel_context
from apps.tickets.models import Status
from apps.tickets.services import ticket_update
from tests.conftest import signed_in
from tests.factories import agent_of

from .conftest import send_to


@pytest.fixture
def causes(db):
    return {
        n: RootCause.objects.create(name=n)
        for n in ("Bad master data", "Expired certificate", "User error")
    }


@pytest.fixture
def pay_agent(desk):
    return agent_of(desk["payments"], email="dev@example.com", full_name="Dev Eloper")


@pytest.fixture
def pay_lead(desk):
    return agent_of(desk["payments"], email="paylead@example.com", full_name="Pat Lead", lead=True)


def test_agent_sets_root_cause_regression_and_feature_from_the_panel(
    desk, make_rule, open_ticket, pay_agent, causes, rf
):
    make_rule("All to payments", {"all": []}, send_to(desk["payments"]))
    ticket = open_ticket()

    response = signed_in(pay_agent).post(
        f"/routing/tickets/{ticket.reference}/classify/",
        {"root_cause": causes["Bad master data"].pk, "is_regression": "on", "feature": "Refunds"},
    )

    assert response.status_code == 302
    c = TicketClassification.objects.get(ticket=ticket)
    assert (c.root_cause.name, c.is_regression, c.feature) == ("Bad master data", True, "Refunds")
    assert ticket.events.filter(kind="classified", actor=pay_agent).exists()
    request = rf.get("/")
    request.user = pay_agent
    context = panel_context(request, ticket)
    assert context["routing_decisions"][0].matched[0]["rule"] == "All to payments"


def test_someone_else_cannot_classify(desk, open_ticket, pay_agent, causes):
    ticket = open_ticket()  # in triage: not the payments agent's ticket

    response = signed_in(pay_agent).post(
        f"/routing/tickets/{ticket.reference}/classify/", {"root_cause": causes["User error"].pk}
    )

    assert response.status_code == 404
    assert not TicketClassification.objects.exists()


def test_a_team_can_require_a_root_cause_before_resolving(
    desk, make_rule, open_ticket, pay_agent, causes
):
    from apps.routing.services import classification_set

    TeamRoutingSettings.objects.create(team=desk["payments"], requires_root_cause=True)
    make_rule("All to payments", {"all": []}, send_to(desk["payments"]))
    ticket = open_ticket()

    with pytest.raises(ApplicationError, match="Payments Engineering requires a root cause"):
        ticket_update(ticket=ticket, actor=pay_agent, data={"status": Status.RESOLVED})

    classification_set(ticket=ticket, actor=pay_agent, root_cause=causes["User error"])
    ticket_update(ticket=ticket, actor=pay_agent, data={"status": Status.RESOLVED})
    assert ticket.status == Status.RESOLVED


def test_report_shows_auto_routed_share_and_pareto_with_csv(
    desk,
    make_rule,
    open_ticket,
    pay_agent,
    pay_lead,
    causes,
    triager,
    admin_user,
    django_assert_max_num_queries,
):
    from apps.routing.services import classification_set, triage_route

    make_rule("Cards", {"all": [{"field": "category", "op": "equals", "value": "Card payment declined"}]},
              send_to(desk["payments"]))  # fmt: skip
    auto = [open_ticket(category=desk["card"]) for _ in range(3)]
    manual = open_ticket(category=desk["wifi"])
    triage_route(ticket=manual, actor=triager, team=desk["payments"])
    open_ticket()  # still waiting in triage
    for ticket, cause in zip(
        [*auto, manual], ["Bad master data"] * 3 + ["User error"], strict=True
    ):
        classification_set(ticket=ticket, actor=pay_agent, root_cause=causes[cause])
    client = signed_in(pay_lead)

    with django_assert_max_num_queries(10):
        page = client.get("/routing/report/").content.decode()
    csv_text = client.get("/routing/report/?format=csv").content.decode()

    assert "75.0 %" in page  # 3 of the 4 Payments tickets were routed by a rule
    assert ",Payments Engineering,4,3,1,0,75.0" in csv_text
    # The Payments lead reads Payments only; the ticket waiting in triage is not theirs.
    assert ",Triage," not in csv_text
    admin_csv = signed_in(admin_user).get("/routing/report/?format=csv").content.decode()
    assert ",Triage,1,0,0,1,0.0" in admin_csv
    assert "pareto,Bad master data,3,0,75.0,75.0" in csv_text
    assert "pareto,User error,1,0,25.0,100.0" in csv_text


def test_report_is_for_leads(desk, pay_agent):
    assert signed_in(pay_agent).get("/routing/report/").status_code == 404
