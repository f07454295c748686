"""Custom fields an admin adds per category ("order id", "store", "till number"): asked on
intake, checked by kind, used by routing rules, queue filters, the API and the exports."""

import csv
import io

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.routing import engine
from apps.routing.rules import rule_create
from apps.tickets.models import CustomField, FieldValue, Ticket
from apps.tickets.services import ticket_create


@pytest.fixture
def fields(lookups):
    order = CustomField.objects.create(label="Order id", key="order_id", required=True)
    order.categories.add(lookups["category"])
    store = CustomField.objects.create(
        label="Store", key="store", kind="choice", choices="Lille\nLyon\nParis"
    )
    till = CustomField.objects.create(label="Till number", key="till", kind="number")
    since = CustomField.objects.create(label="Since", key="since", kind="date")
    return {"order": order, "store": store, "till": till, "since": since}


def answers(ticket) -> dict:
    return dict(FieldValue.objects.filter(ticket=ticket).values_list("field__key", "value"))


def test_the_intake_form_asks_them_and_the_service_keeps_them_typed(
    requester_client, fields, lookups, triage_team
):
    page = requester_client.get(reverse("portal:new")).content.decode()
    response = requester_client.post(
        reverse("portal:new"),
        {
            "subject": "Card refused",
            "description": "x",
            "category": lookups["category"].pk,
            "cf_order_id": "A-1042",
            "cf_store": "Lille",
            "cf_till": "04",
            "cf_since": "2026-11-30",
        },
    )

    assert "Order id" in page
    assert f'data-categories="{lookups["category"].pk}"' in page
    assert response.status_code == 302
    assert answers(Ticket.objects.get()) == {
        "order_id": "A-1042",
        "store": "Lille",
        "till": "4",
        "since": "2026-11-30",
    }


def test_a_required_field_is_required_only_for_its_categories(
    requester_client, fields, lookups, triage_team
):
    refused = requester_client.post(
        reverse("portal:new"),
        {"subject": "Card refused", "description": "x", "category": lookups["category"].pk},
    )
    elsewhere = requester_client.post(
        reverse("portal:new"), {"subject": "Printer", "description": "x"}
    )

    assert refused.status_code == 400
    assert "Order id is required." in refused.content.decode()
    assert elsewhere.status_code == 302
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "typed", "words"),
    [
        ("cf_store", "Berlin", "Store is one of: Lille, Lyon, Paris"),
        ("cf_till", "four", "Till number is a number"),
        ("cf_till", "NaN", "Till number is a number"),
        ("cf_since", "yesterday", "Since is a date"),
        ("cf_order_id", "line\nbreak", "Order id"),
        ("cf_nope", "x", "not a field asked"),
    ],
)
def test_a_wrong_answer_is_refused_by_name(requester, fields, lookups, name, typed, words):
    with pytest.raises(ApplicationError) as refused:
        ticket_create(
            requester=requester,
            subject="x",
            description="y",
            category=lookups["category"],
            custom={"cf_order_id": "A-1", name: typed},
        )

    assert refused.value.field == name
    assert words in refused.value.message
    assert not Ticket.objects.exists()


def test_a_routing_rule_reads_a_custom_field(admin_user, fields, requester, team, triage_team):
    engine.forget_compiled()
    rule_create(
        actor=admin_user,
        data={
            "name": "Lille store",
            "conditions": {"all": [{"field": "cf_store", "op": "equals", "value": "lille"}]},
            "actions": [{"action": "set_team", "params": {"team": team.pk}}],
        },
    )

    lille = ticket_create(
        requester=requester, subject="a", description="b", custom={"cf_store": "Lille"}
    )
    paris = ticket_create(
        requester=requester, subject="a", description="b", custom={"cf_store": "Paris"}
    )

    assert Ticket.objects.get(pk=lille.pk).team == team
    assert Ticket.objects.get(pk=paris.pk).team == triage_team
    engine.forget_compiled()


def test_a_rule_naming_an_unknown_custom_field_is_refused(admin_user, fields):
    with pytest.raises(ApplicationError, match="unknown field"):
        rule_create(
            actor=admin_user,
            data={
                "name": "Bad",
                "conditions": {"all": [{"field": "cf_nothing", "op": "equals", "value": "x"}]},
                "actions": [],
            },
        )


def test_the_queue_and_the_api_filter_by_a_custom_field(agent_client, requester, fields, team):
    wanted = ticket_create(
        requester=requester, subject="a", description="b", custom={"cf_store": "Lyon"}
    )
    other = ticket_create(
        requester=requester, subject="c", description="d", custom={"cf_store": "Paris"}
    )
    Ticket.objects.update(team=team)

    queue = agent_client.get(reverse("workspace:queue"), {"cf_store": "lyon"}).content.decode()
    api = agent_client.get("/api/v1/tickets/", {"cf_store": "Lyon"}).json()

    assert wanted.reference in queue
    assert other.reference not in queue
    assert [t["reference"] for t in api["results"]] == [wanted.reference]
    assert api["results"][0]["custom_fields"] == {"store": "Lyon"}


def test_the_api_takes_answers_by_key(requester_client, fields, triage_team):
    made = requester_client.post(
        "/api/v1/tickets/",
        {"subject": "VPN", "description": "x", "custom_fields": {"store": "paris", "till": "7"}},
        content_type="application/json",
    )
    refused = requester_client.post(
        "/api/v1/tickets/",
        {"subject": "VPN", "description": "x", "custom_fields": {"store": "Rome"}},
        content_type="application/json",
    )

    assert made.status_code == 201
    assert made.json()["custom_fields"] == {"store": "Paris", "till": "7"}
    assert refused.status_code == 400
    assert "cf_store" in refused.json()


def test_the_export_has_a_column_per_field(admin_user, client, requester, fields, lookups):
    ticket_create(
        requester=requester,
        subject="Card",
        description="x",
        category=lookups["category"],
        custom={"cf_order_id": "=cmd()", "cf_store": "Lyon"},
    )
    client.force_login(admin_user)

    body = b"".join(client.get(reverse("insights:tickets-csv")).streaming_content).decode()

    rows = list(csv.reader(io.StringIO(body)))
    header, row = rows[0], rows[1]
    assert row[header.index("Store")] == "Lyon"
    assert row[header.index("Order id")] == "'=cmd()"  # never a formula in a spreadsheet


def test_insights_cut_tickets_by_a_choice_field(admin_user, client, requester, fields):
    from apps.insights import selectors as insights
    from apps.insights.scope import scope_from_params

    for store in ("Lille", "Lille", "Paris"):
        ticket_create(requester=requester, subject="x", description="y", custom={"cf_store": store})
    ticket_create(requester=requester, subject="x", description="y")  # no answer
    scope = scope_from_params({"period": "12_weeks"}, user=admin_user)

    pareto = {row.label: row.value for row in insights.pareto(scope, by="cf_store")}
    volume = {row.label: row.value for row in insights.breakdown(scope, "volume", "cf_store")}
    lille = insights.drilldown(scope, by="cf_store", key="Lille")
    client.force_login(admin_user)
    page = client.get(reverse("insights:pareto"), {"by": "cf_store"})

    assert pareto == {"Lille": 2, "Paris": 1}
    assert volume == {"Lille": 2, "Paris": 1}
    assert lille.count() == 2
    assert page.status_code == 200
    assert "Store" in page.content.decode()
