"""The auto-routed share a lead reads (page and CSV) agrees with the same figure worked out in
the test from the raw rows: each ticket's history of routing events."""

import csv
import io
from collections import Counter

import pytest

from apps.routing.selectors import routing_share
from apps.routing.services import triage_route
from apps.tickets.models import Ticket, TicketEvent
from tests.conftest import signed_in

from .conftest import send_to

pytestmark = pytest.mark.django_db


def test_the_auto_routed_share_agrees_with_the_routing_history(
    desk, make_rule, open_ticket, triager, admin_user
):
    make_rule("Wi-Fi to networks", {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]},
              send_to(desk["networks"]))  # fmt: skip
    make_rule("Payroll is urgent", {"all": [{"field": "product", "op": "equals", "value": "Payroll"}]},
              [{"action": "set_priority", "params": {"priority": 4}}])  # fmt: skip
    for _ in range(3):
        open_ticket(category=desk["wifi"])  # routed by a rule
    by_hand = open_ticket(category=desk["card"])  # no rule: a triager places it
    triage_route(ticket=by_hand, actor=triager, team=desk["networks"])
    open_ticket(product=desk["payroll"])  # a rule matched, but set no team: still waiting
    open_ticket()  # nothing matched: waiting in triage

    # From the raw rows: routed at creation by a rule per the ticket's "routed" events;
    # otherwise placed by a person if it no longer sits in triage; otherwise waiting.
    auto_ids = set(
        TicketEvent.objects.filter(
            kind="routed", data__trigger="created", data__routed=True
        ).values_list("ticket_id", flat=True)
    )
    expected = Counter()
    for ticket in Ticket.objects.select_related("team"):
        team = ticket.team.name
        how = "auto" if ticket.pk in auto_ids else "waiting" if ticket.team.is_triage else "triaged"
        expected[(team, how)] += 1
        expected[(team, "total")] += 1

    rows = routing_share(weeks=1)
    shown = Counter()
    for row in rows:
        for how in ("total", "auto", "triaged", "waiting"):
            if row[how]:
                shown[(row["team"], how)] += row[how]
    assert shown == expected
    networks = next(r for r in rows if r["team"] == "Networks")
    assert networks["auto_share"] == 75.0  # 3 of the 4 Networks tickets

    # An admin reads every team (a lead only the teams they lead: tests/test_lead_reports.py).
    response = signed_in(admin_user).get("/routing/report/", {"format": "csv", "weeks": 1})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    csv_rows = {r[2]: r for r in lines if r and r[0] == "routing"}
    assert csv_rows["Networks"][3:] == ["4", "3", "1", "0", "75.0"]
    assert csv_rows[desk["triage"].name][3:] == ["2", "0", "0", "2", "0.0"]
