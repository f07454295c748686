"""With the demo data, most new tickets are routed by a rule and the rest wait in triage."""

import io

from apps.accounts import demo as accounts_demo
from apps.routing import demo as routing_demo
from apps.routing.models import RoutingDecision
from apps.tickets import demo as tickets_demo
from apps.tickets.services import ticket_create


def test_demo_rules_route_most_scenarios_and_leave_some_for_triage(db):
    demo = {"logins": [], "stdout": io.StringIO()}
    for module in (accounts_demo, tickets_demo, routing_demo):
        module.configure(demo)
    requester = demo["people"]["store_manager"]

    for scenario in tickets_demo.SCENARIOS:
        ticket_create(
            requester=requester,
            subject=scenario.subject.replace("{", "").replace("}", ""),
            description=scenario.description,
            category=demo["categories"][scenario.category],
            product=demo["products"][scenario.product],
            location=demo["locations"][requester.site],
        )

    routed = RoutingDecision.objects.filter(trigger="created", routed=True).count()
    waiting = RoutingDecision.objects.filter(trigger="created", routed=False).count()
    assert routed >= 2 * waiting
    assert waiting > 0
    assert not RoutingDecision.objects.exclude(errors=[]).exists()
