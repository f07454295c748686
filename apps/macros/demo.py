"""Demo macros: a few for everyone, the Service Desk's own, and Tariq's (agent1) personal ones."""

from apps.tickets.models import Priority, Status

from .models import Macro, Scope

GLOBAL = [
    (
        "Thanks, we're on it",
        "Hi {{ requester.first_name }},\n\nThanks for reporting this. {{ ticket.team }} has "
        "{{ ticket.reference }} and is looking into it; you'll hear from us here.\n\n"
        "{{ agent.first_name }}",
        {},
    ),
    (
        "Need more information",
        "Hi {{ requester.first_name }},\n\nTo move on with {{ ticket.reference }} we need a bit "
        "more: what exactly do you see (a screenshot helps), and since when?\n\n"
        "{{ agent.first_name }}",
        {"set_status": Status.PENDING},
    ),
    (
        "Solved: closing the loop",
        "Hi {{ requester.first_name }},\n\nThis should be fixed now. If it comes back, just reply "
        "to this message and {{ ticket.reference }} opens again.\n\n{{ agent.first_name }}",
        {"set_status": Status.RESOLVED},
    ),
]

SERVICE_DESK = [
    (
        "Password reset sent",
        "Hi {{ requester.first_name }},\n\nI've sent a password-reset link to "
        "{{ requester.email }}. It works for 15 minutes; the new password must have 12 "
        "characters.\n\n{{ agent.first_name }}, Service Desk",
        {"set_status": Status.PENDING, "add_tags": "password"},
    ),
    (
        "Till down: store impact",
        "Store trading is affected ({{ ticket.reference }}): raising the priority and asking "
        "Payments Engineering to look at the terminal logs.",
        {"internal": True, "set_priority": Priority.URGENT, "add_tags": "store-impact"},
    ),
]

AGENT_T1 = [
    (
        "VPN: reinstall the client",
        "Hi {{ requester.first_name }},\n\nPlease uninstall the VPN client, restart, and "
        "install it again from the Software Centre. Tell me here if it still fails.\n\n"
        "{{ agent.first_name }}",
        {"set_priority": Priority.HIGH, "add_tags": "vpn"},
    ),
]


def configure(demo: dict) -> None:
    team = demo["teams"]["service-desk"]
    rows = [
        *(Macro(name=n, body=b, scope=Scope.GLOBAL, **extra) for n, b, extra in GLOBAL),
        *(Macro(name=n, body=b, scope=Scope.TEAM, team=team, **x) for n, b, x in SERVICE_DESK),
        *(
            Macro(name=n, body=b, scope=Scope.PERSONAL, owner=demo["people"]["agent_t1"], **x)
            for n, b, x in AGENT_T1
        ),
    ]
    for macro in rows:
        macro.full_clean()
    Macro.objects.bulk_create(rows)
    demo["stdout"].write(f"  macros: {len(rows)} (everyone, Service Desk, agent1's own)")
