from django.urls import path

from . import views

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="kb-api-articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="kb-api-article"),
    path("articles/<int:pk>/feedback/", views.Feedback.as_view(), name="kb-api-feedback"),
    path("search/", views.Search.as_view(), name="kb-api-search"),
    path("numbers/", views.Numbers.as_view(), name="kb-api-numbers"),
]
