"""Demo of tiered support. To be called from ``apps/tickets/demo.py``: ``configure(demo)`` from
its configure (before any ticket is opened), ``populate(demo)`` at the end of its populate.

``configure`` turns touch and hold on for the Service Desk, lets Payments Engineering answer
requesters directly, sets the path Service Desk tier 2 → Payments Engineering tier 3 and the
checklists each tier needs. ``populate`` plays one card-payment case up to tier 3, back for a
wrong order id, and up again — and leaves a fresh tier-1 ticket for a visitor to try it on.
"""

from datetime import timedelta

from django.utils import timezone

from ..models import ChecklistItem, EscalationStep
from ..services import comment_add, ticket_create, ticket_update
from .services import ticket_escalate, ticket_hand_back, ticket_take

CHECKLISTS = [
    # team slug, tier, key, label, help
    ("service-desk", 2, "tried", "What tier 1 tried", "Restarts, re-logins, other till…"),
    ("payments-engineering", 3, "steps", "Steps to reproduce", "Numbered, from a fresh till."),
    ("payments-engineering", 3, "order_id", "Affected order id", "ORD-… of a failing sale."),
    ("networks", 2, "site_device", "Affected site and device", "Store number and device name."),
]


def configure(demo: dict) -> None:
    teams = demo["teams"]
    teams["service-desk"].touch_and_hold = True
    teams["service-desk"].save(update_fields=["touch_and_hold"])
    teams["payments-engineering"].allow_direct_support = True
    teams["payments-engineering"].save(update_fields=["allow_direct_support"])
    EscalationStep.objects.create(
        team=teams["service-desk"],
        from_tier=2,
        to_team=teams["payments-engineering"],
        to_tier=3,
    )
    for order, (slug, tier, key, label, help_text) in enumerate(CHECKLISTS):
        ChecklistItem.objects.create(
            team=teams[slug], tier=tier, key=key, label=label, help_text=help_text, order=order
        )


def populate(demo: dict) -> None:
    import time_machine  # a development dependency, like the demo itself

    people, teams = demo["people"], demo["teams"]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1, hours=7)
    traveller = time_machine.travel(start, tick=False)
    clock = traveller.start()

    def at(minutes: int) -> None:
        clock.move_to(start + timedelta(minutes=minutes))

    try:
        ticket = _showcase(people, teams, at)
    finally:
        traveller.stop()
    fresh = ticket_create(
        requester=people["store_manager"],
        subject="Contactless payments refused on till 5",
        description="Chip and PIN works, contactless says 'card not supported' for every card.",
    )
    ticket_update(ticket=fresh, actor=people["lead"], data={"team": teams["service-desk"]})
    demo["stdout"].write(
        f"  tiers: {ticket.reference} went to tier 3 and back (held by "
        f"{ticket.holder}); {fresh.reference} waits at tier 1 to be escalated"
    )


def _showcase(people, teams, at):
    tariq, sofia, priya = people["agent_t1"], people["agent_t2"], people["developer"]
    ticket = ticket_create(
        requester=people["requester"],
        subject="Every Visa card declined at Store 112 since the update",
        description="Since this morning's till update every Visa card is declined. "
        "Mastercard works. Customers are leaving.",
    )
    ticket_update(ticket=ticket, actor=people["lead"], data={"team": teams["service-desk"]})
    at(20)
    ticket_take(ticket=ticket, agent=tariq)  # Tariq accepts first: he holds it from now on
    comment_add(ticket=ticket, author=tariq, body="Looking into it now; which tills?")
    at(65)
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=tariq,
        reason="Restarting the tills did not help; needs a look at the terminal configuration.",
        values={"tried": "Restarted tills 1-4, re-paired terminal on till 2."},
    )
    at(90)
    ticket_take(ticket=ticket, agent=sofia)
    at(200)
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=sofia,
        reason="Terminal config is right; the declines come from the payment service.",
        values={"steps": "1. Sale of 10 EUR\n2. Pay with any Visa\n3. Declined", "order_id": "n/a"},
    )
    at(260)
    ticket_take(ticket=ticket, agent=priya)
    at(380)
    ticket_hand_back(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=priya,
        missing=["order_id"],
        note="We need the order id of one declined sale to find it in the gateway logs.",
    )
    at(420)
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=sofia,
        reason="Order id of a declined sale added.",
        values={"order_id": "ORD-2026-118842"},
    )
    at(470)
    ticket_take(ticket=ticket, agent=priya)
    comment_add(
        ticket=ticket,
        author=priya,
        internal=True,
        body="Found it: the update sends the wrong merchant category for Visa. Fix in review.",
    )
    ticket.refresh_from_db()
    return ticket
