from django.urls import include, path

app_name = "reviews"

urlpatterns = [
    path("scoring/", include("apps.reviews.scoring.urls")),
    path("mentoring/", include("apps.reviews.mentoring.urls")),
    path("", include("apps.reviews.satisfaction.urls")),
]
