"""Knowledge-base articles, news for the portal home, and what customers do with them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from cases.models import Case

# PostgreSQL text-search configuration per UI language. Korean and Chinese are not
# stemmed by PostgreSQL: they use `simple` plus trigram similarity (pg_trgm).
SEARCH_CONFIG = {
    Language.EN: "english",
    Language.FR: "french",
    Language.RU: "russian",
    Language.KO: "simple",
    Language.ZH_HANS: "simple",
}
TRIGRAM_LANGUAGES = (Language.KO, Language.ZH_HANS)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    product = models.CharField(_("product"), max_length=100, blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated."))
    published = models.BooleanField(_("published"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    # Kept by knowledge.services on every save (PostgreSQL only; NULL on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)
    # The title alone (small, stored in the row): the best-ranked results are found
    # without reading the bodies' vectors.
    title_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["published", "language", "-updated_at"], name="kb_published_lang"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class ArticleVote(models.Model):
    """One "was this helpful?" answer per person and article (changeable)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="kb_vote_once")]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class SuggestionOpen(models.Model):
    """A customer opened an article suggested while logging a case. If they log no case
    within the deflection window afterwards, the article deflected a case."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_opens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="kb_suggestion_open_time")]

    def __str__(self) -> str:
        return f"{self.article_id} opened {self.created_at:%Y-%m-%d %H:%M}"


class CaseArticle(models.Model):
    """An article linked from a case ("solved by")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    solved_by = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "article"], name="kb_case_article_once")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.article_id}"


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["language", "published", "-published_at"], name="news_latest")]

    def __str__(self) -> str:
        return self.title
