from django.urls import include, path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("scoring/", include("apps.reviews.scoring.urls")),
    path("mentoring/", include("apps.reviews.mentoring.urls")),
    path("", include("apps.reviews.satisfaction.urls")),
]
