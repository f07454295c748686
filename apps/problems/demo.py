"""Demo problems: the loyalty-card freeze behind a dozen till tickets, analysed with five whys,
published as a known issue with its planned fix, ready for a lead to mark fixed (which tells
the requesters and offers to resolve the tickets); and an older, fixed one for the record."""

from datetime import timedelta

from django.utils import timezone

from apps.tickets.models import ACTIVE_STATUSES, Ticket
from apps.tickets.permissions import can_work

from .services import problem_create, problem_link, problem_resolve_linked, problem_update

LOYALTY_WHYS = [
    "The till waits for the loyalty service before it finishes the scan.",
    "The loyalty service takes up to a minute to answer at busy times.",
    "It reads the customer's whole purchase history on every scan.",
    "That lookup lost its index when the loyalty database was migrated in the autumn.",
    "The migration script was not checked against the loyalty schema's indexes.",
]


def populate(demo: dict) -> None:
    people, teams = demo["people"], demo["teams"]
    lead = people["lead"]
    today = timezone.localdate()
    problem = problem_create(
        actor=lead,
        title="Tills freeze for a minute when a loyalty card is scanned",
        team=teams["service-desk"],
        whys=LOYALTY_WHYS,
        root_cause="Index on loyalty purchases dropped by the autumn database migration.",
        workaround=(
            "Ring the sale up without the loyalty card, then add the points in Back office → "
            "Loyalty → Add points with the receipt number."
        ),
        status="fix_planned",
        fix_planned_for=today + timedelta(days=9),
        is_public=True,
        public_summary=(
            "Tills can freeze for about a minute when a loyalty card is scanned. Ring the sale "
            "up first and add the points afterwards in the back office; the fix is planned."
        ),
    )
    loyalty = Ticket.objects.filter(subject__icontains="loyalty").order_by("-created_at")
    workable = [t for t in loyalty if can_work(lead, t)]
    open_first = sorted(workable, key=lambda t: t.status not in ACTIVE_STATUSES)[:12]
    problem_link(problem=problem, tickets=open_first, actor=lead, via="several tickets at once")
    _fixed_before(demo)
    demo["stdout"].write(
        f"  problems: {problem.reference} with {len(open_first)} tickets, a known issue"
    )


def _fixed_before(demo: dict) -> None:
    """Last month's expired-password e-mails: found, fixed, its tickets resolved with it."""
    people, teams = demo["people"], demo["teams"]
    lead = people["lead"]
    problem = problem_create(
        actor=lead,
        title="Password reset e-mails held by the new spam filter",
        team=teams["service-desk"],
        whys=[
            "Reset e-mails never reach the inbox.",
            "The spam filter quarantines them.",
            "They come from a sender the new filter does not know.",
        ],
        root_cause="The reset sender was missing from the spam filter's allow-list.",
        workaround="Reset the password by phone with the service desk.",
        status="known_error",
    )
    tickets = [
        t
        for t in Ticket.objects.filter(subject__icontains="reset link").order_by("-created_at")
        if can_work(lead, t)
    ][:4]
    problem_link(problem=problem, tickets=tickets, actor=lead, via="ticket page")
    problem = problem_update(problem=problem, actor=lead, data={"status": "fixed"})
    problem_resolve_linked(problem=problem, actor=lead)
