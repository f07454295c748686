from django.urls import path

from . import views

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="kb-api-articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="kb-api-article"),
    path("articles/<int:pk>/feedback/", views.Feedback.as_view(), name="kb-api-feedback"),
    path("articles/<int:pk>/revisions/", views.ArticleRevisions.as_view(), name="kb-api-revisions"),
    path(
        "articles/<int:pk>/revisions/<int:number>/approve/",
        views.ApproveRevision.as_view(),
        name="kb-api-revision-approve",
    ),
    path(
        "articles/<int:pk>/revisions/<int:number>/reject/",
        views.RejectRevision.as_view(),
        name="kb-api-revision-reject",
    ),
    path("articles/<int:pk>/files/", views.ArticleFiles.as_view(), name="kb-api-files"),
    path("pending/", views.PendingChanges.as_view(), name="kb-api-pending"),
    path("search/", views.Search.as_view(), name="kb-api-search"),
    path("numbers/", views.Numbers.as_view(), name="kb-api-numbers"),
]
