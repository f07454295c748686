from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts.views import home
from apps.core.health import healthz, healthz_web
from apps.core.metrics import metrics
from apps.problems.views import known_issues

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"

urlpatterns = [
    path("", home, name="home"),
    # Pages that name no icon (the admin, the API docs) make browsers ask here.
    # Lazy: with hashed static names (production) the name is known only once collectstatic
    # ran, and manage.py (migrate, check) loads these URLs before that.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg")), name="favicon"),
    path("accounts/", include("apps.accounts.urls")),
    path("oidc/", include("apps.accounts.oidc_urls")),
    path("portal/", include("apps.tickets.urls.portal")),
    path("desk/", include("apps.tickets.urls.workspace")),
    path("desk/tiers/", include("apps.tickets.tiers.urls")),
    path("desk/views/", include("apps.tickets.saved_views.urls")),
    path("desk/macros/", include("apps.macros.urls")),
    path("desk/sla/", include("apps.sla.urls")),
    path("files/", include("apps.tickets.urls.files")),
    path("help/", include("apps.knowledge.urls.portal")),
    path("desk/knowledge/", include("apps.knowledge.urls.workspace")),
    path("routing/", include("apps.routing.urls")),
    path("desk/problems/", include("apps.problems.urls")),
    path("known-issues/", known_issues, name="known-issues"),
    path("tasks/", include("apps.subtasks.urls")),
    path("mail/", include("apps.mail.urls")),
    path("reviews/", include("apps.reviews.urls")),
    path("insights/", include("apps.insights.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, and our page has no inline style: the
    # Content-Security-Policy allows neither.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("healthz/web/", healthz_web, name="healthz-web"),
    # Prometheus, with METRICS_TOKEN as a bearer token (404 while none is configured).
    path("metrics", metrics, name="metrics"),
]

# JSON under /api/, the usual pages elsewhere.
handler404 = "apps.core.handlers.page_not_found"
handler500 = "apps.core.handlers.server_error"
