"""What the SLA app plugs into tickets: the "apply SLA policy" action, the queue column, the
ticket panel, the leads' "At risk" link and business seconds for tier time."""

from collections.abc import Sequence

from django.db.models import OuterRef, Subquery

from apps.core import mailchoices
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets import actions, extensions

from .models import Clock, ClockState, Policy
from .templatetags import sla as sla_tags


class _PolicyChoices(Sequence):
    """The active policies as (id, name) pairs, read when a form asks (never at start-up)."""

    def _rows(self):
        return [
            (str(pk), name)
            for pk, name in Policy.objects.filter(is_active=True).values_list("pk", "name")
        ]

    def __getitem__(self, index):
        return self._rows()[index]

    def __len__(self):
        return len(self._rows())

    def __iter__(self):
        return iter(self._rows())


def _policy(value) -> Policy:
    policy = (
        Policy.objects.filter(pk=as_id(value), is_active=True).first() if is_id(value) else None
    )
    if policy is None:
        raise ApplicationError(f"There is no active SLA policy {value!r}.", field="policy")
    return policy


def _apply_policy(*, ticket, params, actor, source) -> str:
    from .services import ticket_policy_apply

    return ticket_policy_apply(
        ticket=ticket, policy=_policy(params["policy"]), actor=actor, source=source
    )


def annotate_queue(queryset):
    """What the badge needs: the SLA state kept on the ticket (``sla_due_at``, ``sla_warn_at``,
    ``sla_breached``, ``sla_paused``), plus the calendar its time left is counted in — one
    look-up by index per row shown, as the queue annotates only the rows of its page."""
    running = Clock.objects.filter(ticket=OuterRef("pk"), state=ClockState.RUNNING)
    return queryset.annotate(
        sla_calendar_id=Subquery(running.values("policy__calendar_id")[:1]),
    )


def _panel_context(request, ticket) -> dict:
    from .selectors import clock_list_for_ticket

    clocks = list(clock_list_for_ticket(ticket=ticket))
    # The section's summary line names the clock that matters now: the first one not yet met.
    return {"clocks": clocks, "next_clock": next((c for c in clocks if not c.met_at), None)}


def register() -> None:
    from .services import ticket_business_seconds

    actions.register(
        actions.TicketAction(
            name="apply_sla_policy",
            label="Apply SLA policy",
            params=(actions.Param("policy", "choice", "SLA policy", choices=_PolicyChoices()),),
            clean=lambda p: {"policy": _policy(p["policy"]).pk},
            apply=_apply_policy,
        )
    )
    extensions.queue_column(
        extensions.QueueColumn(
            name="sla",
            header="SLA",
            cell=sla_tags.queue_cell,
            annotate=annotate_queue,
            order=50,
            sortable="sla_due_at",
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="sla",
            template="sla/_ticket_panel.html",
            context=_panel_context,
            audience="agent",
            order=20,
        )
    )
    extensions.nav_link(
        extensions.NavLink(label="At risk", url_name="sla:at_risk", audience="lead", order=30)
    )
    extensions.business_seconds_provider(ticket_business_seconds)
    mailchoices.register(
        mailchoices.MailChoice(
            "sla.warnings",
            "SLA warnings and breaches of my tickets",
            # The clock's notices ("SLA warning", "SLA breach") and its escalation steps'.
            ("notified:SLA",),
            "About tickets I work on",
            order=22,
            shown_to=lambda user: user.is_agent,
        )
    )
