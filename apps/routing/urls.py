from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("triage/", views.triage, name="triage"),
    path("triage/<str:reference>/route/", views.triage_route, name="triage-route"),
    path("triage/<str:reference>/rule/", views.rule_from_ticket, name="rule-from-ticket"),
    path("tickets/<str:reference>/reroute/", views.reroute, name="reroute"),
    path("tickets/<str:reference>/classify/", views.classify, name="classify"),
    path("report/", views.report, name="report"),
]
