from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<slug:name>/", views.kpi_detail, name="kpi"),
    path("pareto/", views.pareto, name="pareto"),
    path("flow/", views.flow, name="flow"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets.csv", views.tickets_csv, name="tickets-csv"),
    path("goals/", views.goal_set, name="goal"),
]
