"""Insights API under /api/v1/insights/: the KPIs, a KPI's series and breakdown, the Pareto.

The same scope parameters as the pages (``period`` or ``start``/``end``, ``team``, ``tier``,
``category``, ``product``, ``location``, ``priority``, ``root_cause``); agents get their own
teams' figures, admins every team's; a bad parameter is a 400 naming it.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import ApplicationError

from . import selectors
from .scope import DIMENSIONS, PERIODS, scope_from_params

SCOPE_PARAMETERS = [
    OpenApiParameter(
        "period", OpenApiTypes.STR, enum=list(PERIODS), description="Default 12_weeks."
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, description="With period=custom: first day."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="With period=custom: last day."),
    *(
        OpenApiParameter(
            name, OpenApiTypes.INT, description=f"Only this {name.replace('_', ' ')} (id)."
        )
        for name in DIMENSIONS
    ),
]


class KpiSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True, help_text="The period just before.")
    unit = serializers.ChoiceField(
        choices=["seconds", "percent", "count", "hours", "money"],
        help_text="money: in the desk's currency (COST_CURRENCY).",
    )
    better = serializers.CharField(help_text='"lower", "higher" or "".')


class ScopeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class KpisSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    results = KpiSerializer(many=True)


class PointSerializer(serializers.Serializer):
    start = serializers.DateField()
    value = serializers.FloatField(allow_null=True)


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class KpiDetailSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    kpi = KpiSerializer()
    series = PointSerializer(many=True)
    breakdown = RowSerializer(many=True)


class ParetoRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    cumulative = serializers.FloatField(allow_null=True)


class ParetoSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    results = ParetoRowSerializer(many=True)


def _scope(request):
    user = request.user
    if not (user.is_agent or user.is_staff):
        raise NotFound("No such resource.")
    try:
        return scope_from_params(request.query_params, user=user)
    except ApplicationError as refused:
        raise ValidationError(refused.as_dict()) from refused


def _scope_data(scope) -> dict:
    return {"start": scope.start, "end": scope.end}


def _kpi(kpi) -> dict:
    return {f: getattr(kpi, f) for f in ("name", "label", "value", "previous", "unit", "better")}


class KpisView(APIView):
    """GET: every KPI over the period with its value for the period before."""

    serializer_class = KpisSerializer

    @extend_schema(
        operation_id="insights_kpis_list", parameters=SCOPE_PARAMETERS, responses=KpisSerializer
    )
    def get(self, request):
        scope = _scope(request)
        kpis = [_kpi(k) for k in selectors.kpis(scope)]
        return Response(KpisSerializer({"scope": _scope_data(scope), "results": kpis}).data)


class KpiDetailView(APIView):
    """GET: one KPI, its series (``granularity`` week, month or quarter) and its breakdown
    (``by`` team, tier, category, product, location, priority, root_cause, feature, resolution,
    channel, agent)."""

    serializer_class = KpiDetailSerializer

    @extend_schema(
        operation_id="insights_kpi_retrieve",
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("granularity", OpenApiTypes.STR, enum=["week", "month", "quarter"]),
            OpenApiParameter("by", OpenApiTypes.STR, description="Dimension of the breakdown."),
        ],
        responses=KpiDetailSerializer,
    )
    def get(self, request, name):
        scope = _scope(request)
        kpi = next((k for k in selectors.kpis(scope) if k.name == name), None)
        if kpi is None:
            raise NotFound("No such figure.")
        granularity = request.query_params.get("granularity") or "week"
        if granularity not in ("week", "month", "quarter"):
            raise ValidationError({"granularity": ["One of: week, month, quarter."]})
        try:
            series = selectors.series(scope, name, granularity) if name in selectors.SERIES else []
            rows = selectors.breakdown(scope, name, request.query_params.get("by") or "team")
        except ApplicationError as refused:
            raise ValidationError(refused.as_dict()) from refused
        data = {
            "scope": _scope_data(scope),
            "kpi": _kpi(kpi),
            "series": [{"start": start, "value": value} for start, value in series],
            "breakdown": [row.__dict__ for row in rows],
        }
        return Response(KpiDetailSerializer(data).data)


class ParetoView(APIView):
    """GET ?by=root_cause|feature|category|product&weight=count|time: the Pareto with
    cumulative shares."""

    serializer_class = ParetoSerializer

    @extend_schema(
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=["root_cause", "feature", "category", "product"]
            ),
            OpenApiParameter("weight", OpenApiTypes.STR, enum=["count", "time"]),
        ],
        responses=ParetoSerializer,
    )
    def get(self, request):
        scope = _scope(request)
        by = request.query_params.get("by") or "root_cause"
        weight = request.query_params.get("weight") or "count"
        if by not in ("root_cause", "feature", "category", "product"):
            raise ValidationError({"by": ["One of: root_cause, feature, category, product."]})
        if weight not in ("count", "time"):
            raise ValidationError({"weight": ["One of: count, time."]})
        rows = [row.__dict__ for row in selectors.pareto(scope, by=by, weight=weight)]
        return Response(ParetoSerializer({"scope": _scope_data(scope), "results": rows}).data)


app_name = "insights-api"
urlpatterns = [
    path("insights/kpis/", KpisView.as_view(), name="kpis"),
    path("insights/kpis/<slug:name>/", KpiDetailView.as_view(), name="kpi"),
    path("insights/pareto/", ParetoView.as_view(), name="pareto"),
]
