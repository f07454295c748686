from django.urls import path

from ..views import duplicates, portal

app_name = "portal"
urlpatterns = [
    path("", portal.ticket_list, name="tickets"),
    path("new/", portal.ticket_new, name="new"),
    path("new/similar/", duplicates.similar_for_requester, name="similar"),
    path("tickets/<str:reference>/", portal.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/reply/", portal.ticket_reply, name="reply"),
]
