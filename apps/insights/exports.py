"""A period's cases as CSV, one line per ticket with its parameters (seed 001's quarterly
analysis): read in chunks straight from the database, so a year of tickets streams out without
being held in memory."""

from collections.abc import Iterator

from django.conf import settings

from apps.core.spreadsheets import spreadsheet_safe
from apps.routing.models import RootCause
from apps.tickets.models import CustomField, FieldValue, Priority, Resolution, Status

TICKET_COLUMNS = [
    "reference",
    "subject",
    "status",
    "priority",
    "channel",
    "team",
    "tier",
    "highest tier",
    "category",
    "product",
    "location",
    "requester",
    "organisation",
    "assignee",
    "root cause",
    "product feature",
    "regression",
    "resolution",
    "created",
    "first response (h)",
    "resolved",
    "open to resolved (h)",
    "tier 1 (h)",
    "tier 2 (h)",
    "tier 3 (h)",
    "escalations",
    "hand-backs",
    "reopens",
    "SLA first response",
    "SLA resolution",
    "requester satisfied",
    "time logged (h)",
    f"cost ({settings.COST_CURRENCY})",
    "problem",
]
_FIELDS = [
    "pk",
    "subject",
    "status",
    "priority",
    "channel",
    "team__name",
    "tier",
    "fact__max_tier",
    "category__name",
    "product__name",
    "location__name",
    "requester__email",
    "requester__organisation__name",
    "assignee__email",
    "fact__root_cause_id",
    "fact__feature",
    "fact__is_regression",
    "fact__resolution",
    "created_at",
    "fact__first_response_seconds",
    "fact__resolved_at",
    "fact__resolution_seconds",
    "fact__tier1_seconds",
    "fact__tier2_seconds",
    "fact__tier3_seconds",
    "fact__escalations",
    "fact__hand_backs",
    "fact__reopens",
    "fact__sla_first_response",
    "fact__sla_resolution",
    "fact__satisfied",
    "fact__hours_spent",
    "fact__cost",
    "fact__problem_id",
]
CHUNK = 2000


def _hours(seconds) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def _when(moment) -> str:
    return moment.isoformat(timespec="minutes") if moment else ""


def ticket_rows(queryset, *, header: list[str] | None = None) -> Iterator[list[str]]:
    """The rows, then one column per active custom field (its answer, or empty)."""
    custom = list(CustomField.objects.filter(is_active=True).order_by("order", "label"))
    if header:
        yield [*header, *(field.label for field in custom)]
    causes = dict(RootCause.objects.values_list("pk", "name"))
    rows = queryset.order_by("pk").values_list(*_FIELDS)
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(dict(zip(_FIELDS, row, strict=True)))
        if len(batch) == CHUNK:
            yield from _lines(batch, custom, causes)
            batch = []
    yield from _lines(batch, custom, causes)


def _lines(batch: list[dict], custom: list, causes: dict) -> Iterator[list[str]]:
    if not batch:
        return
    answers = {
        (ticket_id, field_id): value
        for ticket_id, field_id, value in FieldValue.objects.filter(
            ticket_id__in=[values["pk"] for values in batch], field__in=custom
        ).values_list("ticket_id", "field_id", "value")
    }
    for values in batch:
        yield [
            *_line(values, causes),
            *(spreadsheet_safe(answers.get((values["pk"], f.pk), "")) for f in custom),
        ]


STATUSES, PRIORITIES, RESOLUTIONS = (
    dict(Status.choices),
    dict(Priority.choices),
    dict(Resolution.choices),
)


def _line(values: dict, causes: dict) -> list:
    prefix, offset = settings.TICKET_REFERENCE_PREFIX, settings.TICKET_REFERENCE_OFFSET
    problem = values["fact__problem_id"]
    return [
        f"{prefix}-{values['pk'] + offset}",
        spreadsheet_safe(values["subject"]),
        STATUSES.get(values["status"], values["status"]),
        PRIORITIES.get(values["priority"], values["priority"]),
        values["channel"],
        spreadsheet_safe(values["team__name"]),
        values["tier"],
        values["fact__max_tier"] or values["tier"],
        spreadsheet_safe(values["category__name"]),
        spreadsheet_safe(values["product__name"]),
        spreadsheet_safe(values["location__name"]),
        spreadsheet_safe(values["requester__email"]),
        spreadsheet_safe(values["requester__organisation__name"]),
        spreadsheet_safe(values["assignee__email"]),
        spreadsheet_safe(causes.get(values["fact__root_cause_id"], "")),
        spreadsheet_safe(values["fact__feature"]),
        "yes" if values["fact__is_regression"] else "",
        RESOLUTIONS.get(values["fact__resolution"] or "", ""),
        _when(values["created_at"]),
        _hours(values["fact__first_response_seconds"]),
        _when(values["fact__resolved_at"]),
        _hours(values["fact__resolution_seconds"]),
        _hours(values["fact__tier1_seconds"]),
        _hours(values["fact__tier2_seconds"]),
        _hours(values["fact__tier3_seconds"]),
        values["fact__escalations"] or 0,
        values["fact__hand_backs"] or 0,
        values["fact__reopens"] or 0,
        values["fact__sla_first_response"] or "",
        values["fact__sla_resolution"] or "",
        {True: "yes", False: "no"}.get(values["fact__satisfied"], ""),
        f"{values['fact__hours_spent'] or 0:.2f}",
        f"{values['fact__cost'] or 0:.2f}",
        f"PRB-{problem}" if problem else "",
    ]
