"""Demo routing: rules that place most new tickets by themselves, root causes, a team policy.

``configure`` runs before any ticket is opened, so the demo's tickets are routed by these rules
(and what they leave waits in triage for a person). ``populate`` classifies the finished
tickets with root causes, which feeds the Pareto report.
"""

import random

from apps.tickets.models import Category, Location, Product
from apps.tickets.services import ticket_create

from .models import RootCause, TeamRoutingSettings
from .rules import rule_create
from .services import classification_set

# Opened just now and claimed by no rule: what a triager finds in the morning.
WAITING = [
    ("Shelf prices wrong after the promotion", "Data correction", "Inventory app"),
    ("Need Visio for the new store layouts", "Software request", "Laptop"),
    ("Docking station flickers", "Hardware fault", "Laptop"),
    ("Stock transfer shows twice in the inventory app", "Data correction", "Inventory app"),
]

ROOT_CAUSES = {
    "Expired password": "Password reached its maximum age.",
    "Account locked by policy": "Too many failed sign-ins.",
    "Card terminal firmware": "A terminal running outdated or faulty firmware.",
    "Payment gateway timeout": "The acquirer's gateway answered too slowly.",
    "Wrong payroll configuration": "A rule or rate wrong in the payroll system.",
    "Bad master data": "Wrong prices, stock or article data.",
    "Network hardware failure": "A switch, router or access point failed.",
    "Internet provider outage": "The site's line was down at the provider.",
    "Mailbox quota": "A mailbox ran out of space.",
    "Software defect": "A bug in our own or a vendor's software.",
    "User error": "Worked as designed; the user needed help.",
    "Hardware wear": "A device reached the end of its life.",
}

# Category → likely root causes (the first is the most common: it makes the Pareto).
CAUSES_BY_CATEGORY = {
    "Cannot sign in": ["Expired password", "Account locked by policy", "User error"],
    "Till or POS error": ["Software defect", "Bad master data", "Hardware wear"],
    "Card payment declined": ["Card terminal firmware", "Payment gateway timeout"],
    "Network outage": ["Internet provider outage", "Network hardware failure"],
    "Slow or unstable connection": ["Network hardware failure", "Internet provider outage"],
    "Payroll discrepancy": ["Wrong payroll configuration", "User error"],
    "E-mail problem": ["Mailbox quota", "User error"],
    "Hardware fault": ["Hardware wear", "User error"],
    "Access request": ["User error"],
    "Data correction": ["Bad master data", "Software defect"],
    "Software request": ["User error"],
}


def _rules(demo: dict) -> list[dict]:
    teams = demo["teams"]
    desk, networks = teams["service-desk"].pk, teams["networks"].pk
    lead = demo["people"]["lead"].pk

    def to(team, tier=None, tags=None):
        actions = [{"action": "set_team", "params": {"team": team}}]
        if tier:
            actions.append({"action": "set_tier", "params": {"tier": tier}})
        if tags:
            actions.append({"action": "add_tags", "params": {"tags": tags}})
        return actions

    def where(field, op, value=None):
        return {"field": field, "op": op, **({"value": value} if value is not None else {})}

    return [
        {
            "name": "VIP requesters: tag and tell the lead",
            "conditions": {"all": [where("requester_vip", "equals", "yes")]},
            "actions": [
                {"action": "add_tags", "params": {"tags": ["vip"]}},
                {
                    "action": "notify",
                    "params": {"users": [lead], "message": "A VIP opened a ticket."},
                },
            ],
        },
        {
            "name": "Outage words raise the priority",
            "conditions": {
                "all": [where("subject", "regex", r"\b(no network|outage|down|fails?)\b")]
            },
            "actions": [{"action": "set_priority", "params": {"priority": 3}}],
        },
        {
            "name": "Connectivity to Networks",
            "conditions": {
                "any": [
                    where("category", "in", ["Network outage", "Slow or unstable connection"]),
                    where("product", "in", ["VPN", "Wi-Fi"]),
                ]
            },
            "actions": to(networks, tags=["network"]),
            "stop_processing": True,
        },
        {
            "name": "Card payments to Service Desk tier 2",
            "conditions": {
                "all": [
                    where("product", "equals", "Card payments"),
                    where("category", "equals", "Card payment declined"),
                ]
            },
            "actions": to(desk, tier=2, tags=["payments"]),
            "stop_processing": True,
        },
        {
            "name": "Store POS and printers to Service Desk",
            "conditions": {
                "all": [
                    where("product", "in", ["Store POS", "Printer"]),
                    {
                        "any": [
                            where("location", "starts_with", "Store"),
                            where("requester_department", "equals", "Stores"),
                        ]
                    },
                ]
            },
            "actions": to(desk, tags=["store"]),
            "stop_processing": True,
        },
        {
            "name": "Sign-in problems to Service Desk",
            "conditions": {"all": [where("category", "equals", "Cannot sign in")]},
            "actions": [
                *to(desk),
                {"action": "set_root_cause_hint", "params": {"root_cause": "Expired password"}},
            ],
            "stop_processing": True,
        },
        {
            "name": "Payroll to Service Desk",
            "conditions": {"all": [where("product", "equals", "Payroll")]},
            "actions": to(desk, tags=["payroll"]),
            "stop_processing": True,
        },
        {
            "name": "E-mail and mailboxes to Service Desk",
            "conditions": {
                "any": [
                    where("product", "equals", "E-mail"),
                    where("text", "contains", "mailbox"),
                ]
            },
            "actions": to(desk),
            "stop_processing": True,
        },
        {
            "name": "Test domain goes nowhere (switched off)",
            "conditions": {"all": [where("requester_domain", "equals", "test.invalid")]},
            "actions": to(desk),
            "enabled": False,
        },
    ]


def configure(demo: dict) -> None:
    for name, description in ROOT_CAUSES.items():
        RootCause.objects.create(name=name, description=description)
    admin = demo["people"]["admin"]
    for data in _rules(demo):
        rule_create(actor=admin, data=data)
    demo["stdout"].write(f"  routing: {len(_rules(demo))} rules, {len(ROOT_CAUSES)} root causes")


def populate(demo: dict) -> None:
    """Classify finished tickets, and make Payments Engineering require a root cause from now."""
    rng = random.Random(7)
    admin = demo["people"]["admin"]
    causes = {c.name: c for c in RootCause.objects.all()}
    done = 0
    for ticket in demo.get("tickets", []):
        ticket.refresh_from_db()
        options = CAUSES_BY_CATEGORY.get(ticket.category.name if ticket.category_id else "", [])
        if not options or ticket.status not in ("resolved", "closed"):
            continue
        weights = [6, 3, 1][: len(options)]
        cause = causes[rng.choices(options, weights)[0]]
        classification_set(
            ticket=ticket,
            actor=admin,
            root_cause=cause,
            is_regression=cause.name == "Software defect" and rng.random() < 0.5,
            feature=ticket.product.name if ticket.product_id else "",
        )
        done += 1
    TeamRoutingSettings.objects.create(
        team=demo["teams"]["payments-engineering"], requires_root_cause=True
    )
    requesters = demo["requesters"]
    for n, (subject, category, product) in enumerate(WAITING):
        ticket_create(
            requester=requesters[n % len(requesters)],
            subject=subject,
            description=f"{subject}. Could someone look at it today?",
            category=Category.objects.get(name=category),
            location=Location.objects.filter(name=requesters[n % len(requesters)].site).first(),
            product=Product.objects.get(name=product),
        )
    demo["stdout"].write(
        f"  routing: {done} finished tickets classified, {len(WAITING)} new ones waiting in triage"
    )
