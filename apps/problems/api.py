"""Problems in the API: the public known issues (anyone), and the desk's problems (agents)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny, BasePermission

from . import selectors
from .models import Problem, ProblemStatus


class IsAgent(BasePermission):
    message = "Problems are for support agents."

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (user.is_agent or user.is_superuser))


class KnownIssueSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    summary = serializers.CharField(source="public_summary")
    affects_my_requests = serializers.SerializerMethodField(
        help_text="Your own requests it is behind (empty when not signed in)."
    )

    class Meta:
        model = Problem
        fields = ["reference", "title", "status", "summary", "fix_planned_for", "fixed_at",
                  "affects_my_requests"]  # fmt: skip

    def get_affects_my_requests(self, problem) -> list[str]:
        return [ticket.reference for ticket in problem.affected]


class KnownIssueList(ListAPIView):
    """The problems the desk publishes: open ones, and those fixed in the last 30 days."""

    permission_classes = [AllowAny]
    serializer_class = KnownIssueSerializer
    pagination_class = None
    queryset = Problem.objects.none()  # for the schema: the list is known_issues_for's

    def get_queryset(self):
        return selectors.known_issues_for(user=self.request.user)


class ProblemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    team = serializers.CharField(source="team.name")
    whys = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField(help_text="Linked tickets you may see.")

    class Meta:
        model = Problem
        fields = ["reference", "title", "team", "status", "root_cause", "whys", "workaround",
                  "fix_planned_for", "fixed_at", "is_public", "public_summary", "created_at",
                  "updated_at", "tickets"]  # fmt: skip

    def get_whys(self, problem) -> list[str]:
        return [why.answer for why in problem.whys.all()]

    def get_tickets(self, problem) -> list[str]:
        links = getattr(problem, "visible_links", None)  # a list's page: read in one query
        if links is not None:
            return [link.ticket.reference for link in links]
        tickets, _ = selectors.linked_tickets_for(
            problem=problem, user=self.context["request"].user
        )
        return [ticket.reference for ticket in tickets]


class ProblemList(ListAPIView):
    permission_classes = [IsAgent]
    serializer_class = ProblemSerializer

    @extend_schema(description="The desk's problems; ?status=open (default), all, or a status.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        status = self.request.query_params.get("status", "open")
        if status not in (*ProblemStatus.values, "open", "all"):
            raise ValidationError({"status": [f"Unknown status {status!r}."]})
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Problem.objects.none()
        visible = selectors.visible_links_prefetch(user=self.request.user)
        return (
            selectors.problem_list(status=status).prefetch_related("whys", visible).order_by("-pk")
        )


class ProblemDetail(RetrieveAPIView):
    permission_classes = [IsAgent]
    serializer_class = ProblemSerializer

    def get_object(self):
        problem = selectors.problem_get(reference=self.kwargs["reference"])
        if problem is None:
            raise NotFound("No such problem.")
        return problem


urlpatterns = [
    path("known-issues/", KnownIssueList.as_view(), name="known-issues-api"),
    path("problems/", ProblemList.as_view(), name="problems-api"),
    path("problems/<str:reference>/", ProblemDetail.as_view(), name="problem-api"),
]
