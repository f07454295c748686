from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.views import home

from .health import healthz

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("portal/", include("apps.tickets.urls.portal")),
    path("desk/", include("apps.tickets.urls.workspace")),
    path("files/", include("apps.tickets.urls.files")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
