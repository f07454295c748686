from django.urls import path

from ..views import portal

app_name = "kb"
urlpatterns = [
    path("", portal.home, name="home"),
    path("suggest/", portal.suggest, name="suggest"),
    path("files/<int:pk>/", portal.file_download, name="file"),
    path("<slug:slug>/", portal.article_detail, name="article"),
    path("<slug:slug>/feedback/", portal.article_feedback, name="feedback"),
    path("<slug:slug>/solved/", portal.deflect, name="solved"),
]
