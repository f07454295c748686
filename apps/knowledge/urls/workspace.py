from django.urls import path

from ..views import workspace

app_name = "kb-desk"
urlpatterns = [
    path("", workspace.article_list, name="articles"),
    path("new/", workspace.article_new, name="new"),
    path("preview/", workspace.article_preview, name="preview"),
    path("numbers/", workspace.numbers, name="numbers"),
    path("pending/", workspace.pending_list, name="pending"),
    path("pending/<int:pk>/approve/", workspace.pending_approve, name="pending-approve"),
    path("pending/<int:pk>/reject/", workspace.pending_reject, name="pending-reject"),
    path("<int:pk>/", workspace.article_edit, name="edit"),
    path("<int:pk>/status/", workspace.article_status, name="status"),
    path("<int:pk>/files/", workspace.article_file, name="file"),
    path("<int:pk>/revisions/", workspace.article_revisions, name="revisions"),
    path("ticket/<str:reference>/search/", workspace.panel_search, name="panel-search"),
    path("ticket/<str:reference>/send/<int:pk>/", workspace.panel_send, name="panel-send"),
    path("ticket/<str:reference>/draft/", workspace.panel_draft, name="panel-draft"),
]
