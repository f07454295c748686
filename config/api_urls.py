"""/api/v1/: each app adds its routes here."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.tickets.api.urls")),
]
