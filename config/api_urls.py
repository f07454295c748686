"""/api/v1/: each app adds its routes here."""

from django.urls import include, path

from apps.core.api.root import ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("apps.tickets.api.urls")),
    path("", include("apps.tickets.tiers.api")),
    path("", include("apps.sla.api")),
    path("knowledge/", include("apps.knowledge.api.urls")),
    path("", include("apps.subtasks.api")),
    path("", include("apps.routing.api")),
    path("", include("apps.problems.api")),
    path("", include("apps.insights.api")),
]
