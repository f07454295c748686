"""Routes of the tickets API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("locations", views.LocationViewSet, basename="location")
router.register("products", views.ProductViewSet, basename="product")
router.register("teams", views.TeamViewSet, basename="team")

app_name = "tickets-api"
urlpatterns = [
    path(
        "tickets/<str:key>/comments/",
        views.CommentListCreateView.as_view(),
        name="ticket-comments",
    ),
    path(
        "tickets/<str:key>/attachments/",
        views.AttachmentListCreateView.as_view(),
        name="ticket-attachments",
    ),
    path("tickets/<str:key>/history/", views.EventListView.as_view(), name="ticket-history"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    *router.urls,
]
