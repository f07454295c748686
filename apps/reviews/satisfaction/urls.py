"""Satisfaction's pages, under /reviews/ (the empty path is the reviews hub's)."""

from django.urls import path

from . import views

urlpatterns = [
    # The requester's: on their ticket page, and the e-mailed link (the link is the credential).
    path("ratings/ticket/<str:reference>/", views.rating_portal, name="rating_portal"),
    path("ratings/<str:token>/", views.rating_link, name="rating_link"),
    # Leads' and sponsors'.
    path("kudos/", views.kudos_list, name="kudos_list"),
    path("kudos/kudos.csv", views.kudos_csv, name="kudos_csv"),
    path("kudos/share/", views.kudos_share_view, name="kudos_share"),
]
