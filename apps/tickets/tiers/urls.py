from django.urls import path

from . import views

app_name = "tiers"
urlpatterns = [
    path("held/", views.held, name="held"),
    path("hand-backs/", views.hand_backs, name="hand-backs"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("tickets/<str:reference>/escalate/", views.escalate, name="escalate"),
    path("tickets/<str:reference>/hand-back/", views.hand_back, name="hand-back"),
    path("tickets/<str:reference>/take/", views.take, name="take"),
    path("tickets/<str:reference>/holder/", views.holder, name="holder"),
]
