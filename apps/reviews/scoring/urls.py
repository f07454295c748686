"""Case scoring, under /reviews/scoring/ in the "reviews" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.round_list, name="scoring_rounds"),
    path("new/", views.round_new, name="scoring_round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="scoring_round"),
    path("rounds/<int:pk>/cases.csv", views.round_csv, name="scoring_round_csv"),
    path("to-score/", views.queue, name="scoring_queue"),
    path("cases/<int:pk>/", views.case_detail, name="scoring_case"),
]
