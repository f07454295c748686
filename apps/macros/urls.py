from django.urls import path

from . import views

app_name = "macros"
urlpatterns = [
    path("", views.macro_list, name="list"),
    path("new/", views.macro_new, name="new"),
    path("<int:pk>/", views.macro_edit, name="edit"),
    path("<int:pk>/delete/", views.macro_delete_view, name="delete"),
    path("search/<str:reference>/", views.search, name="search"),
]
