from django.contrib import admin

from .models import Article, NewsItem
from .services import refresh_search_vector


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "product", "published", "updated_at", "view_count"]
    list_filter = ["language", "published", "product"]
    search_fields = ["title", "tags"]
    readonly_fields = ["body_html", "view_count", "helpful_yes", "helpful_no", "created_at"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from casetracker.markup import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
        refresh_search_vector(obj)


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "published", "published_at"]
    list_filter = ["language", "published"]
    readonly_fields = ["body_html"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from casetracker.markup import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
