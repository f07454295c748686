from django.urls import path

from ..views import workspace

app_name = "workspace"
urlpatterns = [
    path("", workspace.queue, name="queue"),
    path("tickets/<str:reference>/", workspace.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/reply/", workspace.ticket_reply, name="reply"),
    path("tickets/<str:reference>/properties/", workspace.ticket_properties, name="properties"),
    path("tickets/<str:reference>/take/", workspace.ticket_take_view, name="take"),
]
