"""Insights pages: the lead dashboard, one page per KPI, the Pareto, the escalation flow, the
tickets behind any figure, and their exports. Agents see their own teams' figures, read-only;
admins every team's. Every table comes as CSV and JSON (``?export=csv|json``)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.core.spreadsheets import csv_download
from apps.tickets import extensions
from apps.tickets.custom_fields.selectors import active_fields

from . import selectors
from .exports import TICKET_COLUMNS, ticket_rows
from .pareto import PARETO_BY, WEIGHTS, custom_dimensions
from .scope import PERIODS, Scope, scope_from_params, visible_team_ids
from .services import may_set_goal, volume_goal_set

PAGE = 50
BREAKDOWNS = {
    "team": "Team",
    "tier": "Tier",
    "category": "Category",
    "product": "Product",
    "location": "Location",
    "priority": "Priority",
    "root_cause": "Root cause",
    "feature": "Product feature",
    "resolution": "Resolution",
    "channel": "Channel",
    "agent": "Agent",
}


def _reader(request):
    """Agents (their teams) and admins; everyone else finds no such page."""
    user = request.user
    if not (user.is_agent or user.is_staff):
        raise Http404("No such page.")
    return user


def _scope(request) -> tuple[Scope | None, str]:
    try:
        return scope_from_params(request.GET, user=request.user), ""
    except ApplicationError as error:
        fallback = scope_from_params({}, user=request.user)
        return fallback, error.message


def _common(request, scope: Scope, error: str, **extra) -> dict:
    # The teams the reader may pick: every team for admins (whatever the scope shows now).
    teams = Team.objects.order_by("name")
    if visible_team_ids(request.user) is not None:
        teams = teams.filter(pk__in=request.user.team_ids)
    return {
        "nav": "insights",
        "scope": scope,
        "scope_query": urlencode(scope.as_params()),
        "scope_error": error,
        "periods": PERIODS,
        "teams": teams,
        "query": request.GET,
        **extra,
    }


def _export(request, name: str, rows: list[dict]):
    """The table as CSV or JSON when ``?export=`` asks for it; None otherwise."""
    kind = request.GET.get("export")
    if kind == "json":
        return JsonResponse({"table": name, "rows": rows}, json_dumps_params={"default": str})
    if kind == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        if rows:
            writer = csv.DictWriter(response, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return response
    if kind:
        raise Http404("Exports are csv or json.")
    return None


@login_required
@require_GET
def dashboard(request):
    _reader(request)
    scope, error = _scope(request)
    kpis = selectors.kpis(scope)
    export = _export(request, "kpis", [_kpi_row(k) for k in kpis])
    if export:
        return export
    # The cards' sparklines and both weekly charts: one query per basis, not one per chart.
    weeks = selectors.series_many(scope, (*SPARKS, "high_volume"))
    pareto_rows = selectors.pareto(scope, by="root_cause")[:8]
    goal_team = _single_team(scope)
    context = _common(
        request,
        scope,
        error,
        cards=[(kpi, _spark(weeks, kpi.name)) for kpi in kpis],
        volume=_labelled(weeks["volume"]),
        goal=selectors.volume_goal(scope),
        high_volume=_labelled(weeks["high_volume"]),
        high_goal=selectors.volume_goal(scope, high_only=True),
        pareto=pareto_rows,
        pareto_points=[(row.label, row.value) for row in pareto_rows],
        pareto_cumulative=[row.cumulative for row in pareto_rows],
        pareto_href=_drill_href(scope, "root_cause", [row.key for row in pareto_rows]),
        volume_href=_week_href(scope, "volume", [week for week, _ in weeks["volume"]]),
        high_href=_week_href(scope, "high_volume", [week for week, _ in weeks["high_volume"]]),
        changes=_biggest_changes(kpis),
        goal_team=goal_team,
        can_set_goal=goal_team is not None and may_set_goal(request.user, goal_team),
    )
    return render(request, "insights/dashboard.html", context)


SPARKS = ("volume", "resolution_median", "first_response_median", "sla_first_response",
          "sla_resolution", "reopen_rate", "escalation_rate", "hand_backs", "csat")  # fmt: skip


def _spark(weeks: dict, name: str) -> list:
    """The last weeks of a figure, for its card (only the figures people watch week by week)."""
    return [value for _, value in weeks[name]] if name in SPARKS else []


def _labelled(weeks) -> list[tuple[str, float]]:
    return [(week.strftime("%d %b"), count) for week, count in weeks]


def _single_team(scope: Scope):
    if scope.team_ids is None or len(scope.team_ids) != 1:
        return None
    return Team.objects.filter(pk=scope.team_ids[0]).first()


def _cell_hrefs(scope: Scope, cells: list[dict]):
    """``href(i)`` for chart bars and rows: the tickets behind cell ``i`` of the figure."""
    base = reverse("insights:tickets")

    def href(index: int) -> str:
        return f"{base}?{urlencode({**scope.as_params(), **cells[index]})}"

    href.do_not_call_in_templates = True  # the chart calls it, the template must not
    return href


def _drill_href(scope: Scope, by: str, keys: list):
    return _cell_hrefs(scope, [{"by": by, "key": "none" if k is None else k} for k in keys])


def _week_href(scope: Scope, kpi: str, weeks: list):
    return _cell_hrefs(scope, [{"kpi": kpi, "week": week.isoformat()} for week in weeks])


def _kpi_row(kpi) -> dict:
    return {
        "name": kpi.name,
        "label": kpi.label,
        "value": kpi.value,
        "previous": kpi.previous,
        "unit": kpi.unit,
    }


def _biggest_changes(kpis, limit: int = 4) -> list:
    """What changed most since the previous period, better or worse (not plain volume)."""
    moved = [k for k in kpis if k.change is not None and k.better]
    return sorted(moved, key=lambda k: abs(k.change), reverse=True)[:limit]


@login_required
@require_GET
def kpi_detail(request, name):
    _reader(request)
    scope, error = _scope(request)
    kpi = next((k for k in selectors.kpis(scope) if k.name == name), None)
    if kpi is None:
        raise Http404("No such figure.")
    by = request.GET.get("by") or "team"
    if by not in BREAKDOWNS:
        by, error = "team", f"Figures cannot be split by {by!r}."
    granularity = request.GET.get("granularity") or "week"
    if granularity not in ("week", "month", "quarter"):
        granularity = "week"
    rows = selectors.breakdown(scope, name, by)
    export = _export(request, f"{name}-by-{by}", [row.__dict__ for row in rows])
    if export:
        return export
    series = selectors.series(scope, name, granularity) if name in selectors.SERIES else []
    previous = (
        [v for _, v in selectors.series(scope.previous(), name, granularity)] if series else None
    )
    context = _common(
        request,
        scope,
        error,
        kpi=kpi,
        by=by,
        by_label=BREAKDOWNS[by],
        breakdowns=BREAKDOWNS.items(),
        granularity=granularity,
        rows=rows,
        series=[(d.strftime("%d %b"), v) for d, v in series],
        previous=previous if previous and len(previous) == len(series) else None,
    )
    return render(request, "insights/kpi.html", context)


@login_required
@require_GET
def pareto(request):
    _reader(request)
    scope, error = _scope(request)
    by = request.GET.get("by") or "root_cause"
    weight = request.GET.get("weight") or "count"
    custom = custom_dimensions()
    if (by not in PARETO_BY and by not in custom) or weight not in WEIGHTS:
        raise Http404("No such Pareto.")
    rows = selectors.pareto(scope, by=by, weight=weight)
    export = _export(request, f"pareto-{by}-{weight}", [row.__dict__ for row in rows])
    if export:
        return export
    unit = {"time": "seconds", "cost": "money"}.get(weight, "count")
    custom_labels = {f.name: f.label for f in active_fields() if f.name in custom}
    by_label = PARETO_LABELS.get(by) or custom_labels[by]
    context = _common(
        request,
        scope,
        error,
        rows=rows,
        by=by,
        by_label=by_label,
        weight=weight,
        unit=unit,
        points=[(row.label, row.value) for row in rows[:15]],
        cumulative=[row.cumulative for row in rows[:15]],
        href=_drill_href(scope, by, [row.key for row in rows[:15]]),
        title=f"{by_label} by {WEIGHT_WORDS[weight]}",
        custom_labels=custom_labels,
    )
    return render(request, "insights/pareto.html", context)


WEIGHT_WORDS = {"count": "tickets", "time": "time spent", "cost": "cost"}
PARETO_LABELS = {
    "problem": "Problem",
    "root_cause": "Root cause",
    "feature": "Product feature",
    "category": "Category",
    "product": "Product",
}


@login_required
@require_GET
def flow(request):
    _reader(request)
    scope, error = _scope(request)
    figures = selectors.escalation_flow(scope)
    export = _export(request, "escalation-flow", [figures])
    if export:
        return export
    context = _common(
        request, scope, error, flow=figures, steps=flow_steps(figures), table=flow_table(figures)
    )
    return render(request, "insights/flow.html", context)


def flow_steps(figures: dict) -> list[tuple[str, int]]:
    return [
        ("Resolved", figures["resolved"]),
        ("Tier 1 only", figures["stayed_tier1"]),
        ("Tier 2", figures["reached_tier2"]),
        ("Tier 3", figures["reached_tier3"]),
        ("Handed back", figures["hand_backs"]),
    ]


def flow_table(figures: dict) -> list[tuple[str, float | None, str]]:
    """(label, value, unit) rows: counts, the bounce rate, time per tier, and for each move up
    the time before and after it (where time was lost between tiers)."""
    rows = [
        ("Tickets resolved", figures["resolved"], "count"),
        ("Escalations", figures["escalations"], "count"),
        ("Hand-backs", figures["hand_backs"], "count"),
        ("Bounce rate (hand-backs per escalation)", figures["bounce_rate"], "percent"),
    ]
    rows += [
        (f"Mean time at tier {tier}", seconds, "seconds")
        for tier, seconds in figures["time_at_tier"].items()
    ]
    for step in figures["steps"]:
        move = f"tier {step['from_tier']} → {step['to_tier']}"
        rows += [
            (f"Before the move {move} ({step['tickets']} tickets)", step["before"], "seconds"),
            (f"After the move {move}", step["after"], "seconds"),
        ]
    return rows


def _cell(request) -> dict:
    return {k: request.GET[k] for k in ("kpi", "by", "key", "week") if request.GET.get(k)}


@login_required
@require_GET
def tickets(request):
    """The tickets behind a figure (a KPI, a bar, a Pareto row, a table cell)."""
    _reader(request)
    scope, error = _scope(request)
    try:
        queryset = selectors.drilldown(scope, **_cell(request))
    except ApplicationError as refused:
        queryset, error = selectors.drilldown(scope), refused.message
    page = Paginator(queryset, PAGE).get_page(request.GET.get("page"))
    export_query = urlencode({**scope.as_params(), **_cell(request)})
    context = _common(
        request,
        scope,
        error,
        page=page,
        cell=_cell(request),
        export_query=export_query,
        bulk_actions=extensions.bulk_actions(),
    )
    return render(request, "insights/tickets.html", context)


@login_required
@require_GET
def tickets_csv(request):
    """A period's cases with their parameters, one line per ticket, streamed."""
    _reader(request)
    try:
        scope = scope_from_params(request.GET, user=request.user)
        queryset = selectors.drilldown(scope, **_cell(request))
    except ApplicationError as refused:
        return HttpResponse(refused.message, status=400, content_type="text/plain; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    return csv_download(
        ticket_rows(queryset, header=TICKET_COLUMNS),
        filename=f"tickets-{scope.start}-{scope.end}-{stamp}.csv",
    )


@login_required
@require_POST
def goal_set(request):
    _reader(request)
    team = Team.objects.filter(pk=as_id(request.POST.get("team") or "")).first()
    if team is None:
        raise Http404("No such team.")
    back = reverse("insights:dashboard") + "?" + urlencode({"team": team.pk})
    raw = (request.POST.get("tickets_per_week") or "0").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        messages.error(request, "The goal is a whole number of tickets a week, e.g. 50.")
        return redirect(back)
    try:
        volume_goal_set(
            team=team,
            tickets_per_week=int(raw),
            high_only=request.POST.get("high_only") == "1",
            actor=request.user,
        )
    except ApplicationError as refused:
        if refused.code == "forbidden":
            raise PermissionDenied(refused.message) from refused
        messages.error(request, refused.message)
    return redirect(back)
