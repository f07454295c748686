from django.urls import path

from ..views import files

app_name = "files"
urlpatterns = [
    path("<int:pk>/", files.attachment, name="attachment"),
]
