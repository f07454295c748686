"""GET /api/v1/: where a client starts, the collections it may read and where the docs are."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# (key, URL name): the entry points of each part of the API. Apps not installed are left out.
ENTRY_POINTS = (
    ("tickets", "tickets-api:ticket-list"),
    ("categories", "tickets-api:category-list"),
    ("locations", "tickets-api:location-list"),
    ("products", "tickets-api:product-list"),
    ("teams", "tickets-api:team-list"),
    ("token", "tickets-api:token"),
    ("my_subtasks", "subtasks-api:mine"),
    ("knowledge_articles", "kb-api-articles"),
    ("knowledge_search", "kb-api-search"),
    ("routing_rules", "routing-rules"),
    ("root_causes", "routing-root-causes"),
    ("sla_compliance", "sla-api:compliance"),
    ("known_issues", "known-issues-api"),
    ("problems", "problems-api"),
    ("insights_kpis", "insights-api:kpis"),
    ("insights_pareto", "insights-api:pareto"),
    ("schema", "api-schema"),
    ("docs", "api-docs"),
)


class ApiRootView(APIView):
    """Public like the docs: it names routes, each of which checks who may use it."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        links = {}
        for key, name in ENTRY_POINTS:
            try:
                links[key] = request.build_absolute_uri(reverse(name))
            except NoReverseMatch:
                continue
        return Response(links)
