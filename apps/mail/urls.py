from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("inbound/", views.inbound_http, name="inbound"),
    path("messages/<str:pk>/", views.message_detail, name="message"),
    path("messages/<str:pk>/original.eml", views.message_raw, name="message-raw"),
]
