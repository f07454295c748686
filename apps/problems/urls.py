from django.urls import path

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("new/", views.problem_new, name="new"),
    path("link/", views.link_many, name="link-many"),
    path("<str:reference>/", views.problem_detail, name="detail"),
    path("<str:reference>/edit/", views.problem_edit, name="edit"),
    path("<str:reference>/resolve-tickets/", views.problem_resolve_tickets, name="resolve-tickets"),
    path("tickets/<str:reference>/link/", views.ticket_link, name="ticket-link"),
    path("tickets/<str:reference>/unlink/", views.ticket_unlink, name="ticket-unlink"),
]
