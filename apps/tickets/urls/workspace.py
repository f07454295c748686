from django.urls import path

from ..views import workspace

app_name = "workspace"
urlpatterns = [
    path("", workspace.queue, name="queue"),
    path("tickets/<str:reference>/", workspace.ticket_detail, name="ticket"),
]
