from django.urls import path

from . import views

app_name = "saved_views"
urlpatterns = [
    path("", views.view_list, name="list"),
    path("save/", views.view_create, name="create"),
    path("<int:pk>/rename/", views.view_rename, name="rename"),
    path("<int:pk>/delete/", views.view_delete, name="delete"),
]
