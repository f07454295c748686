"""SLA API under /api/v1/sla/: a ticket's clocks, and compliance figures for leads."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.numbers import is_id
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from . import selectors
from .models import Clock, Metric


class ClockSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.name")

    class Meta:
        model = Clock
        fields = [
            "id",
            "metric",
            "cycle",
            "state",
            "policy",
            "target_seconds",
            "started_at",
            "warn_at",
            "due_at",
            "warned_at",
            "breached_at",
            "met_at",
            "late_seconds",
            "elapsed_seconds",
        ]


class TicketClocksSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    clocks = ClockSerializer(many=True)


class ComplianceRowSerializer(serializers.Serializer):
    group = serializers.CharField(
        allow_null=True, help_text="Metric, team name, priority or week start (of the due time)."
    )
    metric = serializers.ChoiceField(choices=Metric.choices)
    total = serializers.IntegerField(help_text="Targets decided: met in time or missed.")
    on_time = serializers.IntegerField(help_text="Stopped on or before the due time.")
    breached = serializers.IntegerField(
        help_text="Missed: stopped after the due time, or still running past it."
    )
    percent = serializers.FloatField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(selectors.GROUPINGS))
    metric = serializers.ChoiceField(choices=Metric.choices, allow_null=True)
    weeks = serializers.IntegerField()
    results = ComplianceRowSerializer(many=True)


class TicketClocksView(APIView):
    """GET: every SLA clock of one ticket (agents of the ticket only; others get 404)."""

    serializer_class = TicketClocksSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="SB-10432 or id."
            )
        ],
        responses=TicketClocksSerializer,
    )
    def get(self, request, key):
        ticket = ticket_get(user=request.user, key=key)
        if not can_work(request.user, ticket):
            raise NotFound("No such ticket.")
        clocks = selectors.clock_list_for_ticket(ticket=ticket)
        return Response(
            {"ticket": ticket.reference, "clocks": ClockSerializer(clocks, many=True).data}
        )


class ComplianceView(APIView):
    """GET ?by=metric|team|priority|week&metric=…&weeks=8: share of SLA targets met on time, per
    metric and group (leads only). Late means stopped after the due time, swept or not."""

    serializer_class = ComplianceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(selectors.GROUPINGS)),
            OpenApiParameter("metric", OpenApiTypes.STR, enum=Metric.values),
            OpenApiParameter("weeks", OpenApiTypes.INT, description="1 to 104, default 8."),
        ],
        responses=ComplianceSerializer,
    )
    def get(self, request):
        if not request.user.is_lead:
            raise NotFound("No such resource.")
        by = request.query_params.get("by", "team")
        if by not in selectors.GROUPINGS:
            raise ValidationError({"by": [f"Group by one of: {', '.join(selectors.GROUPINGS)}."]})
        weeks = request.query_params.get("weeks", "8")
        if not is_id(weeks) or not 1 <= int(weeks) <= 104:
            raise ValidationError({"weeks": ["A number of weeks from 1 to 104."]})
        metric = request.query_params.get("metric") or None
        if metric is not None and metric not in Metric.values:
            raise ValidationError({"metric": [f"One of: {', '.join(Metric.values)}."]})
        rows = selectors.compliance(user=request.user, by=by, weeks=int(weeks), metric=metric)
        for row in rows:
            if by == "week" and row["group"]:
                row["group"] = row["group"].date().isoformat()
        return Response({"by": by, "metric": metric, "weeks": int(weeks), "results": rows})


app_name = "sla-api"
urlpatterns = [
    path("sla/tickets/<str:key>/clocks/", TicketClocksView.as_view(), name="ticket-clocks"),
    path("sla/compliance/", ComplianceView.as_view(), name="compliance"),
]
