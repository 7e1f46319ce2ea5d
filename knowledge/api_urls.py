from django.urls import path

from . import api

urlpatterns = [
    path("kb/articles/", api.ArticleListApi.as_view(), name="api-kb-articles"),
    path("kb/articles/<int:pk>/", api.ArticleDetailApi.as_view(), name="api-kb-article"),
    path("kb/articles/<int:pk>/vote/", api.ArticleVoteApi.as_view(), name="api-kb-article-vote"),
    path("kb/suggest/", api.SuggestApi.as_view(), name="api-kb-suggest"),
    path("news/", api.NewsApi.as_view(), name="api-news"),
    path("cases/<str:number>/articles/", api.CaseArticleApi.as_view(), name="api-case-articles"),
]
