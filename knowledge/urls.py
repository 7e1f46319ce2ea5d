from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("kb/", views.search, name="search"),
    path("kb/suggest/", views.suggest, name="suggest"),
    path("kb/new/", views.new_article, name="new"),
    path("kb/preview/", views.preview, name="preview"),
    path("kb/articles/<int:pk>/", views.article, name="article"),
    path("kb/articles/<int:pk>/edit/", views.edit_article, name="edit"),
    path("kb/articles/<int:pk>/vote/", views.vote, name="vote"),
    path("news/", views.news, name="news"),
]
