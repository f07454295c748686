"""/api/v1/routing/…: rules (admins), decision log and re-route per ticket, root causes."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import ApplicationError
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from . import rules as rule_services
from . import selectors, services
from .models import RootCause, RoutingDecision, Rule


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = [
            "id", "name", "description", "position", "enabled", "stop_processing",
            "conditions", "actions", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "updated_at"]


class DecisionSerializer(serializers.ModelSerializer):
    # None for a decision nobody made (a rule on intake) or that routed nowhere.
    team = serializers.StringRelatedField(allow_null=True)
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = RoutingDecision
        fields = [
            "id", "trigger", "actor", "matched", "errors", "routed", "team",
            "rules_evaluated", "match_ms", "total_ms", "created_at",
        ]  # fmt: skip


class RootCauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = RootCause
        fields = ["id", "name", "description"]


class RulePermissions(permissions.DjangoModelPermissions):
    """Admins (staff, as for the Django admin) with the model permission the method needs:
    view_rule to read, add/change/delete_rule to write, as the admin's rule pages ask."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_rule"],
        "HEAD": ["%(app_label)s.view_rule"],
    }

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return user.has_perms(self.get_required_permissions(request.method, Rule))


class RuleImportPermissions(RulePermissions):
    """Importing replaces the whole rule set: it needs all three write permissions."""

    perms_map = {
        **RulePermissions.perms_map,
        "POST": [f"%(app_label)s.{p}_rule" for p in ("add", "change", "delete")],
    }


class RuleReadPermissions(RulePermissions):
    """Export and back-test only read rules (a back-test writes nothing): view_rule."""

    perms_map = {**RulePermissions.perms_map, "POST": ["%(app_label)s.view_rule"]}


def _rule_data(request) -> dict:
    if not isinstance(request.data, dict):
        raise ApplicationError("Send a JSON object.")
    # Form data arrives as lists of values: one value per field, as JSON would send it.
    return request.data.dict() if hasattr(request.data, "dict") else dict(request.data)


class RuleList(APIView):
    permission_classes = [RulePermissions]

    @extend_schema(responses=RuleSerializer(many=True), operation_id="routing_rules_list")
    def get(self, request):
        return Response(RuleSerializer(selectors.rule_list(), many=True).data)

    @extend_schema(request=RuleSerializer, responses={201: RuleSerializer})
    def post(self, request):
        data = _rule_data(request)
        position = data.pop("position", None)
        rule = rule_services.rule_create(actor=request.user, data=data, position=position)
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetail(APIView):
    permission_classes = [RulePermissions]

    @extend_schema(responses=RuleSerializer)
    def get(self, request, pk):
        return Response(RuleSerializer(get_object_or_404(Rule, pk=pk)).data)

    @extend_schema(request=RuleSerializer, responses=RuleSerializer)
    def put(self, request, pk):
        rule = get_object_or_404(Rule, pk=pk)
        rule = rule_services.rule_update(rule=rule, actor=request.user, data=_rule_data(request))
        return Response(RuleSerializer(rule).data)

    @extend_schema(request=RuleSerializer, responses=RuleSerializer)
    def patch(self, request, pk):
        return self.put(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        rule_services.rule_delete(rule=get_object_or_404(Rule, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleExport(APIView):
    permission_classes = [RuleReadPermissions]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(rule_services.rules_export())


class RuleImport(APIView):
    permission_classes = [RuleImportPermissions]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        count = rule_services.rules_import(data=request.data, actor=request.user)
        return Response({"imported": count})


class RuleBacktest(APIView):
    """Run the saved rules (or a draft rule in their midst) against recent tickets; no writes."""

    permission_classes = [RuleReadPermissions]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = dict(request.data) if isinstance(request.data, dict) else {}
        limit = data.pop("limit", 200)
        draft = None
        if data.get("rule"):
            draft = {**rule_services.rule_clean(data["rule"]), "id": data["rule"].get("id"),
                     "position": data["rule"].get("position")}  # fmt: skip
        with transaction.atomic():
            result = services.rules_backtest(draft=draft, limit=limit)
        for row in result["rows"]:
            row["ticket"] = row["ticket"].reference
        return Response(result)


def _agent_ticket(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        # A requester may see their ticket but not how it was routed: as if it did not exist.
        from django.http import Http404

        raise Http404
    return ticket


class TicketDecisions(APIView):
    @extend_schema(responses=DecisionSerializer(many=True))
    def get(self, request, reference):
        ticket = _agent_ticket(request, reference)
        decisions = selectors.decision_list_for(ticket=ticket, limit=50)
        return Response(DecisionSerializer(decisions, many=True).data)


class TicketReroute(APIView):
    @extend_schema(request=None, responses=DecisionSerializer)
    def post(self, request, reference):
        ticket = _agent_ticket(request, reference)
        decision = services.ticket_reroute(ticket=ticket, actor=request.user)
        return Response(DecisionSerializer(decision).data)


class RootCauseList(APIView):
    @extend_schema(responses=RootCauseSerializer(many=True))
    def get(self, request):
        if not request.user.is_agent:
            return Response([])
        causes = RootCause.objects.filter(is_active=True).order_by("name")
        return Response(RootCauseSerializer(causes, many=True).data)


urlpatterns = [
    path("routing/rules/", RuleList.as_view(), name="routing-rules"),
    path("routing/rules/export/", RuleExport.as_view(), name="routing-rules-export"),
    path("routing/rules/import/", RuleImport.as_view(), name="routing-rules-import"),
    path("routing/rules/backtest/", RuleBacktest.as_view(), name="routing-rules-backtest"),
    path("routing/rules/<int:pk>/", RuleDetail.as_view(), name="routing-rule"),
    path("routing/root-causes/", RootCauseList.as_view(), name="routing-root-causes"),
    path(
        "tickets/<str:reference>/routing/decisions/",
        TicketDecisions.as_view(),
        name="routing-ticket-decisions",
    ),
    path(
        "tickets/<str:reference>/reroute/", TicketReroute.as_view(), name="routing-ticket-reroute"
    ),
]
