from django.urls import path

from ..views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.ticket_list, name="tickets"),
    path("new/", portal.ticket_new, name="new"),
    path("tickets/<str:reference>/", portal.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/reply/", portal.ticket_reply, name="reply"),
]
