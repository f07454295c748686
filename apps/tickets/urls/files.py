app_name = "files"
urlpatterns: list = []
