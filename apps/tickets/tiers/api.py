"""Tiered support in the REST API (/api/v1/tickets/<key>/…): escalate, hand back, set the
holder, and read the time spent per tier. Serializers validate; services decide. (Taking a
ticket is the tickets API's ``POST …/take/``: under touch and hold the first taker holds it.)

Each move answers with the ticket's tier state. ``expected_tier`` (required) says which tier
the caller last saw: if someone moved the ticket since, the move is refused instead of repeated.
(``seen_tier``, its name before it was required, is still read.)
"""

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.core.numbers import as_id

from ..models import Ticket
from ..permissions import can_work
from ..selectors import ticket_get
from . import services
from .selectors import escalation_target, hand_back_target, tier_time_for

KEY = OpenApiParameter(
    "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="Tracking number or id."
)


# --- serializers ------------------------------------------------------------------------------


class TierSecondsSerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    seconds = serializers.IntegerField(help_text="Wall-clock seconds spent in this tier.")
    business_seconds = serializers.IntegerField(
        allow_null=True, help_text="In the ticket's business calendar; null without one."
    )
    percent = serializers.FloatField()


class TierTimeSerializer(serializers.Serializer):
    current_tier = serializers.IntegerField()
    tiers = TierSecondsSerializer(many=True)
    open_to_resolved_seconds = serializers.FloatField(allow_null=True)
    escalations = serializers.IntegerField()
    hand_backs = serializers.IntegerField()


class TierStateSerializer(serializers.Serializer):
    reference = serializers.CharField()
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    tier = serializers.IntegerField()
    status = serializers.CharField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    holder = serializers.IntegerField(source="holder_id", allow_null=True)
    next_tier = serializers.SerializerMethodField()
    previous_tier = serializers.SerializerMethodField()

    def get_next_tier(self, ticket) -> str | None:
        step = escalation_target(ticket=ticket)
        return step.label if step else None

    def get_previous_tier(self, ticket) -> str | None:
        step = hand_back_target(ticket=ticket)
        return step.label if step else None


def _with_expected_tier(data):
    """Clients written before ``expected_tier`` was required sent it as ``seen_tier``."""
    if hasattr(data, "get") and data.get("expected_tier") is None and "seen_tier" in data:
        data = data.copy()  # a QueryDict's copy is mutable and keeps repeated fields
        data["expected_tier"] = data["seen_tier"]
    return data


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=True)
    checklist = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Checklist key → value for the target tier (e.g. order_id).",
    )
    expected_tier = serializers.IntegerField(
        min_value=1,
        max_value=3,
        help_text="The tier you saw the ticket at: refused if it has moved since.",
    )

    def to_internal_value(self, data):
        return super().to_internal_value(_with_expected_tier(data))


class HandBackSerializer(serializers.Serializer):
    to_requester = serializers.BooleanField(default=False)
    missing = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    expected_tier = serializers.IntegerField(
        min_value=1,
        max_value=3,
        help_text="The tier you saw the ticket at: refused if it has moved since.",
    )

    def to_internal_value(self, data):
        return super().to_internal_value(_with_expected_tier(data))


class HolderSerializer(serializers.Serializer):
    holder = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True
    )


# --- views ------------------------------------------------------------------------------------


def _workable(request, key: str) -> Ticket:
    """404 unless the caller works this ticket (also when it does not exist)."""
    ticket = ticket_get(user=request.user, key=as_id(key) or key)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    return ticket


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _state(ticket: Ticket) -> Response:
    ticket = Ticket.objects.select_related("team").get(pk=ticket.pk)
    return Response(TierStateSerializer(ticket).data)


class EscalateView(APIView):
    @extend_schema(
        summary="Escalate one tier up the team's path",
        parameters=[KEY],
        request=EscalateSerializer,
        responses={200: TierStateSerializer},
    )
    def post(self, request, key):
        ticket = _workable(request, key)
        data = _valid(EscalateSerializer, request)
        services.ticket_escalate(
            ticket=ticket,
            actor=request.user,
            reason=data["reason"],
            values=data.get("checklist", {}),
            expected_tier=data["expected_tier"],
        )
        return _state(ticket)


class HandBackView(APIView):
    @extend_schema(
        summary="Hand back to the previous tier or the requester, naming what is missing",
        parameters=[KEY],
        request=HandBackSerializer,
        responses={200: TierStateSerializer},
    )
    def post(self, request, key):
        ticket = _workable(request, key)
        data = _valid(HandBackSerializer, request)
        services.ticket_hand_back(
            ticket=ticket,
            actor=request.user,
            missing=data.get("missing", []),
            note=data.get("note", ""),
            to_requester=data["to_requester"],
            expected_tier=data["expected_tier"],
        )
        return _state(ticket)


class HolderView(APIView):
    @extend_schema(
        summary="Set (or clear, with null) the agent who holds the ticket across tiers",
        parameters=[KEY],
        request=HolderSerializer,
        responses={200: TierStateSerializer},
    )
    def put(self, request, key):
        ticket = _workable(request, key)
        data = _valid(HolderSerializer, request)
        services.ticket_holder_set(ticket=ticket, holder=data["holder"], actor=request.user)
        return _state(ticket)


class TierTimeView(APIView):
    @extend_schema(
        summary="Time the ticket spent in each tier, and opened → resolved",
        parameters=[KEY],
        responses={200: TierTimeSerializer},
    )
    def get(self, request, key):
        ticket = _workable(request, key)
        return Response(TierTimeSerializer(tier_time_for(ticket=ticket)).data)


app_name = "tiers-api"
urlpatterns = [
    path("tickets/<str:key>/escalate/", EscalateView.as_view(), name="escalate"),
    path("tickets/<str:key>/hand-back/", HandBackView.as_view(), name="hand-back"),
    path("tickets/<str:key>/holder/", HolderView.as_view(), name="holder"),
    path("tickets/<str:key>/tier-time/", TierTimeView.as_view(), name="tier-time"),
]
