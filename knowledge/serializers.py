from __future__ import annotations

from rest_framework import serializers

from accounts.serializers import PersonSerializer

from .models import Article, NewsItem


class ArticleListSerializer(serializers.ModelSerializer):
    snippet = serializers.SerializerMethodField(help_text="Safe HTML with <mark> around the hits.")
    rank = serializers.SerializerMethodField()
    tags = serializers.ListField(source="tag_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "language", "product", "tags", "published", "updated_at", "snippet", "rank"]

    def get_snippet(self, article: Article) -> str:
        return getattr(article, "snippet", "")

    def get_rank(self, article: Article) -> float:
        return round(float(getattr(article, "rank", 0) or 0), 4)


class ArticleSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "body",
            "body_html",
            "language",
            "product",
            "tags",
            "published",
            "author",
            "created_at",
            "updated_at",
            "view_count",
            "helpful_yes",
            "helpful_no",
        ]


class NewsSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsItem
        fields = ["id", "title", "body", "body_html", "language", "published", "published_at"]
