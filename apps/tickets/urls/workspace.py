from django.urls import path

from ..views import assisted, duplicates, workspace

app_name = "workspace"
urlpatterns = [
    path("", workspace.queue, name="queue"),
    path("new/", assisted.caller_ticket_new, name="caller-new"),
    path("new/people/", assisted.people_found, name="people-found"),
    path("tickets/<str:reference>/", workspace.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/reply/", workspace.ticket_reply, name="reply"),
    path("tickets/<str:reference>/properties/", workspace.ticket_properties, name="properties"),
    path("tickets/<str:reference>/take/", workspace.ticket_take_view, name="take"),
    path("tickets/<str:reference>/presence/", workspace.ticket_presence, name="presence"),
    path("tickets/<str:reference>/merge/", duplicates.merge, name="merge"),
    path("tickets/<str:reference>/similar/", duplicates.similar, name="similar"),
]
