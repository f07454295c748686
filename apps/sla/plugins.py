"""What the SLA app plugs into tickets: the "apply SLA policy" action, the queue column, the
ticket panel, the leads' "At risk" link and business seconds for tier time."""

from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Subquery

from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets import actions, extensions

from .models import Clock, ClockState, Policy


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
    """Next due time of the ticket's running clocks and what the badge needs, in the same query."""
    running = Clock.objects.filter(ticket=OuterRef("pk"), state=ClockState.RUNNING).order_by(
        "due_at"
    )
    # Breached clocks not yet met count as due at their (past) due time: they sort first.
    unmet = Clock.objects.filter(
        ticket=OuterRef("pk"),
        state__in=[ClockState.RUNNING, ClockState.BREACHED],
        met_at__isnull=True,
    ).order_by("due_at")
    return queryset.annotate(
        sla_next_due=Subquery(unmet.values("due_at")[:1]),
        sla_running_due=Subquery(running.values("due_at")[:1]),
        sla_warn_at=Subquery(running.values("warn_at")[:1]),
        sla_calendar_id=Subquery(running.values("policy__calendar_id")[:1]),
        sla_breached=Exists(
            Clock.objects.filter(
                ticket=OuterRef("pk"), state=ClockState.BREACHED, met_at__isnull=True
            )
        ),
        sla_paused=Exists(Clock.objects.filter(ticket=OuterRef("pk"), state=ClockState.PAUSED)),
    )


def _panel_context(request, ticket) -> dict:
    from .selectors import clock_list_for_ticket

    return {"clocks": clock_list_for_ticket(ticket=ticket)}


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
            template="sla/_queue_badge.html",
            annotate=annotate_queue,
            order=50,
            sortable="sla_next_due",
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
