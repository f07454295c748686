"""What tiered support plugs into the tickets app: the "escalate" action for rules and SLA
steps, the agent ticket-page panel, the "Held by me" and notification pages, the tier column
and per-tier queue filters."""

from html import escape

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf

from apps.core import mailchoices
from apps.core.errors import ApplicationError

from .. import actions, extensions


def _escalate(*, ticket, params, actor, source) -> str:
    from .services import ticket_escalate

    reason = params.get("reason") or f"Escalated by {source or 'an automatic step'}"
    # A rule or SLA step acts on the ticket as it just read it: that is the tier it expects.
    escalation = ticket_escalate(
        ticket=ticket, actor=actor, reason=reason, source=source, expected_tier=ticket.tier
    )
    return f"escalated to {escalation.to_team} tier {escalation.to_tier}"


def _clean_escalate(params: dict) -> dict:
    reason = params.get("reason") or ""
    if not isinstance(reason, str):
        raise ApplicationError("Escalate: the reason must be text.", field="reason")
    return {"reason": reason.strip()}


def _with_holder_name(qs):
    # An annotation, not select_related: the queue sorts by other columns' annotations by
    # position, which a late select_related would shift.
    name = NullIf(F("holder__full_name"), Value(""))
    return qs.annotate(holder_name=Coalesce(name, F("holder__email"), output_field=CharField()))


def _queue_cell(ticket) -> str:
    if ticket.holder_name:
        return escape(ticket.holder_name)
    return '<span class="muted">—</span>'


def _tier_filter(tier: int):
    return lambda qs: qs.filter(tier=tier)


def _is_agent(user) -> bool:
    return user.is_agent


# The e-mails of "notified" events tiered support asks for, by the notice's kind (its topic).
MAIL_CHOICES = (
    mailchoices.MailChoice(
        "tickets.escalated",
        "A ticket is escalated or handed back to my team and tier",
        ("notified:escalated", "notified:handed_back"),
        "About tickets I work on",
        order=21,
        shown_to=_is_agent,
    ),
    mailchoices.MailChoice(
        "tickets.held",
        "A ticket is put in my hands to hold, and news of the tickets I hold",
        ("notified:holder_",),
        "About tickets I work on",
        help="Touch and hold: resolved, reopened or closed while another tier works it.",
        order=20,
        shown_to=_is_agent,
    ),
)


def register() -> None:
    actions.register(
        actions.TicketAction(
            name="escalate",
            label="Escalate one tier",
            params=(actions.Param("reason", "text", "Reason", required=False),),
            clean=_clean_escalate,
            apply=_escalate,
        )
    )
    from .views import panel_context

    extensions.ticket_panel(
        extensions.Panel(
            name="tiers",
            template="tickets/tiers/panel.html",
            context=panel_context,
            audience="agent",
            order=10,
        )
    )
    extensions.nav_link(extensions.NavLink("Held by me", "tiers:held", audience="agent", order=20))
    extensions.nav_link(
        extensions.NavLink("Hand-backs", "tiers:hand-backs", audience="lead", order=60)
    )
    # Notifications are reached from the bell in the top bar (context_processors).
    for choice in MAIL_CHOICES:
        mailchoices.register(choice)
    extensions.queue_column(
        extensions.QueueColumn(
            name="holder",
            header="Holder",
            cell=_queue_cell,
            annotate=_with_holder_name,
            order=15,
        )
    )
    for tier in (1, 2, 3):
        extensions.queue_filter(
            extensions.QueueFilter(
                name=f"tier-{tier}",
                label=f"Tier {tier}",
                apply=_tier_filter(tier),
                order=40 + tier,
                same_as=("tier", str(tier)),
            )
        )
