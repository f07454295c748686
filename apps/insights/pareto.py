"""Figures cut by a dimension: a KPI per team, tier, category… (``breakdown``), and the few causes
behind most of the tickets (``pareto``)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from apps.accounts.models import Team, Tier, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.problems.models import Problem
from apps.routing.models import RootCause
from apps.tickets.custom_fields.models import FieldKind
from apps.tickets.custom_fields.selectors import active_fields
from apps.tickets.models import Category, Channel, Location, Priority, Product, Resolution

from .kpis import CREATED, DEFLECTIONS, HAND_BACKS, basis_rows, grouped, measure
from .scope import Scope

NONE = "none"  # the key of the tickets without a value (a drill-down's ``key``)
UNCLASSIFIED = "(not classified yet)"
# Time spent on a ticket: at every tier, while it was active (waiting on the requester is not
# the desk's time, unlike open-to-resolved).
TIER_SECONDS = F("tier1_seconds") + F("tier2_seconds") + F("tier3_seconds")
PARETO_BY = ("root_cause", "feature", "category", "product", "problem")
WEIGHTS = ("count", "time", "cost")
WEIGHED = {"count": Count("pk"), "time": Sum(TIER_SECONDS), "cost": Sum("cost")}


def _names(model) -> Callable[[list], dict]:
    def labels(keys):
        return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))

    return labels


def _people(keys) -> dict:
    """Agents by name (their address when they have none)."""
    rows = User.objects.filter(pk__in=keys).values_list("pk", "full_name", "email")
    return {pk: name or email for pk, name, email in rows}


def _problems(keys) -> dict:
    return {p.pk: f"{p.reference} {p.title}" for p in Problem.objects.filter(pk__in=keys)}


def _choices(choices) -> Callable[[list], dict]:
    return lambda keys: dict(choices)


@dataclass(frozen=True)
class Dimension:
    name: str
    field: str  # of TicketFact
    labels: Callable[[list], dict]  # keys → names (one query for a lookup table)
    empty: str  # the label of the tickets without a value
    ids: bool = True  # keys are numbers (ids, tiers, priorities), not text
    # Rows that carry the dimension at all (a custom field: its answers only).
    where: Q | None = None


DIMENSIONS = {
    d.name: d
    for d in (
        Dimension("team", "team_id", _names(Team), "(no team)"),
        Dimension("tier", "tier", _choices(Tier.choices), "(no tier)"),
        Dimension("category", "category_id", _names(Category), "(no category)"),
        Dimension("product", "product_id", _names(Product), "(no product)"),
        Dimension("location", "location_id", _names(Location), "(no location)"),
        Dimension("priority", "priority", _choices(Priority.choices), "(no priority)"),
        Dimension("root_cause", "root_cause_id", _names(RootCause), UNCLASSIFIED),
        Dimension("feature", "feature", lambda keys: {k: k for k in keys}, UNCLASSIFIED, False),
        Dimension(
            "resolution", "resolution", _choices(Resolution.choices), "(not recorded)", False
        ),
        Dimension("channel", "channel", _choices(Channel.choices), "(unknown)", False),
        # The ticket's assignee now (for resolved tickets: who resolved it, as a rule).
        Dimension("agent", "assignee_id", _people, "(unassigned)"),
        Dimension("problem", "problem_id", _problems, "(no problem)"),
    )
}


def custom_dimensions() -> dict[str, Dimension]:
    """A dimension per active choice field of the admin's (``cf_<key>``): the tickets that
    answered it, by answer."""
    return {
        field.name: Dimension(
            field.name,
            "ticket__field_values__value",
            lambda keys: {k: k for k in keys},
            "(not answered)",
            ids=False,
            where=Q(ticket__field_values__field__key=field.key),
        )
        for field in active_fields()
        if field.kind == FieldKind.CHOICE
    }


def dimension(by: str) -> Dimension:
    found = DIMENSIONS.get(by) if isinstance(by, str) else None
    if found is None and isinstance(by, str) and by.startswith("cf_"):
        found = custom_dimensions().get(by)
    if found is None:
        raise ApplicationError(f"Figures cannot be cut by {by!r}.", field="by")
    return found


def dimension_field(dim: Dimension, basis: str) -> str:
    """The column of a basis' rows holding the dimension. A hand-back is cut by the team and
    tier it was sent back to (that should have collected the information), otherwise by its
    ticket's facts."""
    if dim.where is not None:  # a custom field's answers: the same path from both kinds of row
        return dim.field
    if basis == HAND_BACKS:
        overrides = {"team": "to_team_id", "tier": "to_tier"}
        return overrides.get(dim.name, f"ticket__fact__{dim.field}")
    return dim.field


def key_filter(dim: Dimension, basis: str, key) -> Q:
    """The rows of one breakdown or Pareto row (``NONE``: those without a value)."""
    column = dimension_field(dim, basis)
    if dim.where is not None:
        return dim.where & Q(**{column: str(key)})
    if str(key) == NONE:
        return Q(**{f"{column}__isnull": True}) if dim.ids else Q(**{column: ""})
    if dim.ids:
        value = as_id(key)
        if value is None:
            raise ApplicationError(f"Not a {dim.name.replace('_', ' ')}: {key!r}.", field="key")
        return Q(**{column: value})
    return Q(**{column: str(key)})


def _key(value):
    return NONE if value is None or value == "" else value


def _label(dim: Dimension, labels: dict, key) -> str:
    return dim.empty if key == NONE else str(labels.get(key, key))


@dataclass(frozen=True)
class Row:
    key: int | str  # the dimension's value (an id, a choice, a feature) or NONE
    label: str
    value: float | None  # the KPI over these tickets
    count: int  # the tickets it is worked out over (of a rate: its denominator)
    share: float | None  # their share of all the counted tickets, in %


@dataclass(frozen=True)
class ParetoRow:
    key: int | str
    label: str
    value: float  # tickets, or seconds spent
    share: float | None  # % of the total
    cumulative: float | None  # % of the total down to this row (the last one: 100)


def breakdown(scope: Scope, name: str, by: str) -> list[Row]:
    """The KPI ``name`` per value of the dimension ``by``, highest first (values missing at the
    end), each with the tickets it is worked out over. Rows with none are left out. One query,
    plus one for the names of a lookup table. Deflections have no breakdown (no rows)."""
    m = measure(name)
    dim = dimension(by)
    if m.basis == DEFLECTIONS:
        return []  # a deflection belongs to no ticket, so to no team, category…
    start, end = scope.bounds()
    tickets = (
        Count("ticket_id", distinct=True)
        if m.basis == HAND_BACKS
        else Count("pk", filter=m.population)
    )
    rows = basis_rows(scope, m.basis, start, end)
    if dim.where is not None:
        rows = rows.filter(dim.where)
    figures = grouped(
        rows,
        [m],
        F(dimension_field(dim, m.basis)),
        extra={"count": tickets},
    )
    counted = {_key(g): values for g, values in figures.items() if values["count"]}
    total = sum(values["count"] for values in counted.values())
    labels = dim.labels([key for key in counted if key != NONE]) if counted else {}
    rows = [
        Row(
            key=key,
            label=_label(dim, labels, key),
            value=values.get(m.name),
            count=values["count"],
            share=100 * values["count"] / total,
        )
        for key, values in counted.items()
    ]
    return sorted(rows, key=lambda r: (r.value is None, -(r.value or 0), r.label))


def pareto(scope: Scope, by: str = "root_cause", weight: str = "count") -> list[ParetoRow]:
    """What most of the tickets created in the period come from: per root cause, feature,
    category or product, by ticket count or by ``time`` — the seconds spent on them at tiers
    1 to 3 (tier1 + tier2 + tier3 seconds, so far for open ones; not the wall-clock open-to-resolved,
    which counts time waiting on requesters). Biggest first; the tickets not classified yet are
    one last row (key ``NONE``). One query, plus one for the names."""
    if by not in PARETO_BY and by not in custom_dimensions():
        raise ApplicationError(f"A Pareto chart cannot be drawn by {by!r}.", field="by")
    if weight not in WEIGHTS:
        raise ApplicationError("Weigh tickets by count, time or cost.", field="weight")
    dim = dimension(by)
    start, end = scope.bounds()
    basis = basis_rows(scope, CREATED, start, end)
    if dim.where is not None:
        basis = basis.filter(dim.where)
    rows = basis.values(g=F(dim.field)).annotate(value=WEIGHED[weight]).order_by()
    values: dict = {}
    for row in rows:
        key = _key(row["g"])  # a feature's NULL and "" are one row
        values[key] = values.get(key, 0) + (row["value"] or 0)
    unclassified = values.pop(NONE, None)
    labels = dim.labels(list(values)) if values else {}
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], _label(dim, labels, kv[0])))
    if unclassified is not None:
        ordered.append((NONE, unclassified))
    total = sum(value for _, value in ordered)
    result, running = [], 0
    for key, value in ordered:
        running += value
        result.append(
            ParetoRow(
                key=key,
                label=_label(dim, labels, key),
                value=value,
                share=value / total * 100 if total else None,
                # running / total is exactly 1 on the last row: it ends on 100, not 99.99…
                cumulative=running / total * 100 if total else None,
            )
        )
    return result
