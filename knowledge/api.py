"""REST API for the knowledge base and news (API.md "Knowledge base and news")."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Language
from cases.models import Channel
from cases.selectors import get_case_for
from casetracker.pagination import PageNumbers

from . import services
from .models import Article
from .selectors import get_article_for, latest_news, search_articles, suggest_articles
from .serializers import ArticleListSerializer, ArticleSerializer, NewsSerializer

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Search words (up to 200 characters)"),
    # Empty is allowed and means "any language", as the browser's search form sends it.
    OpenApiParameter(
        "language",
        OpenApiTypes.STR,
        enum=[*Language.values, ""],
        description="One of the five UI languages; empty or absent: every language",
    ),
    OpenApiParameter("product", OpenApiTypes.STR),
]


class SearchPagination(PageNumbers):
    """The usual ``count``/``next``/``previous``/``results``, plus ``truncated``: with
    words, the results are the best-ranked matches among a bounded set of candidates
    (``knowledge.selectors.CANDIDATES``), and ``truncated`` is true when more articles
    match than were ranked (``count`` is then the number listed, not of all matches)."""

    page_size = 20

    def get_paginated_response(self, data, truncated: bool = False) -> Response:  # type: ignore[no-untyped-def, override]
        response = super().get_paginated_response(data)
        response.data["truncated"] = truncated
        return response

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["truncated"] = {
            "type": "boolean",
            "description": "More articles match than were ranked and listed: refine the words.",
        }
        return schema


class ArticleListApi(APIView):
    # Read by the schema generator (the page envelope with ``truncated``); get() pages itself.
    pagination_class = SearchPagination

    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=200_000)
        language = serializers.ChoiceField(Language.choices)
        product = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
        published = serializers.BooleanField(default=False)

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=ArticleListSerializer(many=True))
    def get(self, request: Request) -> Response:
        results = search_articles(
            request.user,
            request.query_params.get("q", ""),
            language=request.query_params.get("language") or None,
            product=request.query_params.get("product") or None,
        )
        paginator = SearchPagination()
        page = paginator.paginate_queryset(results, request, view=self)
        return paginator.get_paginated_response(ArticleListSerializer(page, many=True).data, results.truncated)

    @extend_schema(request=Input, responses={201: ArticleSerializer})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.create_article(actor=request.user, **data.validated_data)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class ArticleDetailApi(APIView):
    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        body = serializers.CharField(max_length=200_000, required=False)
        language = serializers.ChoiceField(Language.choices, required=False)
        product = serializers.CharField(max_length=100, required=False, allow_blank=True)
        tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
        published = serializers.BooleanField(required=False)

    @extend_schema(responses=ArticleSerializer)
    def get(self, request: Request, pk: int) -> Response:
        article = get_article_for(request.user, pk)
        services.record_article_view(
            article=article, user=request.user, from_suggestion=request.query_params.get("from") == "suggest"
        )
        return Response(ArticleSerializer(article).data)

    @extend_schema(request=Input, responses=ArticleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        article = get_article_for(request.user, pk)
        data = self.Input(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        article = services.update_article(article=article, actor=request.user, **data.validated_data)
        return Response(ArticleSerializer(article).data)


class ArticleVoteApi(APIView):
    class Input(serializers.Serializer):
        helpful = serializers.BooleanField()

    @extend_schema(request=Input, responses=ArticleSerializer)
    def post(self, request: Request, pk: int) -> Response:
        article = get_article_for(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.vote_article(article=article, user=request.user, helpful=data.validated_data["helpful"])
        return Response(ArticleSerializer(article).data)


class SuggestApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="The draft case title")],
        responses=inline_serializer("ArticleSuggestions", {"results": ArticleListSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        articles = suggest_articles(request.user, request.query_params.get("q", ""))
        return Response({"results": ArticleListSerializer(articles, many=True).data})


class NewsApi(APIView):
    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=50_000)
        language = serializers.ChoiceField(Language.choices)
        published = serializers.BooleanField(default=True)
        published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "language",
                OpenApiTypes.STR,
                enum=[*Language.values, ""],
                description="One of the five UI languages; empty or absent: the caller's (English when "
                "there is no news in it)",
            )
        ],
        responses=inline_serializer("LatestNews", {"results": NewsSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("language") or getattr(request.user, "language", None)
        if language and language not in Language.values:
            raise serializers.ValidationError(
                {"language": [_("Choose one of the five languages: en, ko, zh-hans, fr, ru.")]}
            )
        return Response({"results": NewsSerializer(latest_news(language), many=True).data})

    @extend_schema(request=Input, responses={201: NewsSerializer})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.create_news(actor=request.user, **data.validated_data)
        return Response(NewsSerializer(item).data, status=status.HTTP_201_CREATED)


class CaseArticleApi(APIView):
    class Input(serializers.Serializer):
        article = serializers.IntegerField()

    @extend_schema(request=Input, responses={201: ArticleSerializer})
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        article = get_object_or_404(Article, pk=data.validated_data["article"])
        services.link_article_to_case(case=case, article=article, actor=request.user, channel=Channel.API)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)
