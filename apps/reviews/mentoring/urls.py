"""URLs of the mentor review, under /reviews/mentoring/ (names prefixed "mentoring_")."""

from django.urls import path

from . import views

urlpatterns = [
    path("pairings/", views.pairings, name="mentoring_pairings"),
    path("week/", views.week, name="mentoring_week"),
    path("week/<str:week>/", views.week, name="mentoring_week_of"),
    path("coach/", views.coach, name="mentoring_coach"),
    path("kudos/", views.kudos, name="mentoring_kudos"),
    path("my-week/", views.my_week, name="mentoring_my_week"),
    path("my-week/<str:week>/", views.my_week, name="mentoring_my_week_of"),
    path("summarise/", views.summarise, name="mentoring_summarise"),
]
