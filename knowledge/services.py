"""Writes for the knowledge base and news: staff author, customers read and vote."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, User
from cases.models import Case, Channel, EventKind
from cases.permissions import can_work_case, is_staff
from cases.services import record_event
from casetracker.markup import render_markdown

from .models import Article, ArticleVote, CaseArticle, NewsItem, SuggestionOpen
from .selectors import DEFLECTION_WINDOW

TITLE_MAX = 200


def _require_staff(actor: User) -> None:
    if not is_staff(actor):
        raise PermissionDenied(_("Only support staff write knowledge-base articles and news."))


def _clean(*, title: str, body: str, language: str) -> tuple[str, str]:
    errors = {}
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if not title:
        errors["title"] = _("Give the article a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is limited to %(n)d characters.") % {"n": TITLE_MAX}
    if not body:
        errors["body"] = _("Write the body.")
    if language not in Language.values:
        errors["language"] = _("Choose one of the five languages: en, ko, zh-hans, fr, ru.")
    if errors:
        raise ValidationError(errors)
    return title, body


def refresh_search_vector(article: Article) -> None:
    """Index title (weight A), product and tags (B) and body (C) with the article
    language's text-search configuration, plus two-character pieces of Korean and
    Chinese text: the SQL function ``kb_search_vector`` (knowledge migration 0003, also
    used by bench/seed_kb.py); the title alone in ``title_vector``. PostgreSQL only:
    SQLite searches with LIKE."""
    if connection.vendor != "postgresql":
        return
    Article.objects.filter(pk=article.pk).update(
        search_vector=Func(
            F("language"),
            F("title"),
            F("product"),
            F("tags"),
            F("body"),
            function="kb_search_vector",
            output_field=SearchVectorField(),
        ),
        title_vector=Func(F("language"), F("title"), function="kb_title_vector", output_field=SearchVectorField()),
    )


def _normalize_tags(tags: str | list[str]) -> str:
    items = tags if isinstance(tags, list) else (tags or "").split(",")
    seen: list[str] = []
    for tag in (str(t).strip()[:40] for t in items):
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)[:300]


@transaction.atomic
def create_article(
    *,
    actor: User,
    title: str,
    body: str,
    language: str,
    product: str = "",
    tags: str | list[str] = "",
    published: bool = False,
) -> Article:
    _require_staff(actor)
    title, body = _clean(title=title, body=body, language=language)
    article = Article.objects.create(
        title=title,
        body=body,
        body_html=render_markdown(body),
        language=language,
        product=(product or "").strip()[:100],
        tags=_normalize_tags(tags),
        published=published,
        author=actor,
    )
    refresh_search_vector(article)
    return article


@transaction.atomic
def update_article(
    *,
    article: Article,
    actor: User,
    title: str | None = None,
    body: str | None = None,
    language: str | None = None,
    product: str | None = None,
    tags: str | list[str] | None = None,
    published: bool | None = None,
) -> Article:
    _require_staff(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    new_title, new_body = _clean(
        title=article.title if title is None else title,
        body=article.body if body is None else body,
        language=article.language if language is None else language,
    )
    article.title, article.body = new_title, new_body
    article.body_html = render_markdown(new_body)
    if language is not None:
        article.language = language
    if product is not None:
        article.product = product.strip()[:100]
    if tags is not None:
        article.tags = _normalize_tags(tags)
    if published is not None:
        article.published = published
    article.updated_at = timezone.now()
    article.save()
    refresh_search_vector(article)
    return article


def record_article_view(*, article: Article, user: User, from_suggestion: bool) -> None:
    """Count a view; a customer opening a suggestion may become a deflection."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    if from_suggestion and user.is_authenticated and not user.is_support_staff:
        # Opening the same suggestion again (a reload) restarts its window rather than
        # counting a second deflection.
        now = timezone.now()
        recent = SuggestionOpen.objects.filter(article=article, user=user, created_at__gt=now - DEFLECTION_WINDOW)
        if not recent.update(created_at=now):
            SuggestionOpen.objects.create(article=article, user=user, created_at=now)


@transaction.atomic
def vote_article(*, article: Article, user: User, helpful: bool) -> Article:
    """One vote per person; changing one's mind moves the vote."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    previous = ArticleVote.objects.filter(article=article, user=user).first()
    if previous is not None:
        if previous.helpful == helpful:
            return article
        field = "helpful_yes" if previous.helpful else "helpful_no"
        setattr(article, field, max(0, getattr(article, field) - 1))
        previous.helpful = helpful
        previous.save(update_fields=["helpful"])
    else:
        ArticleVote.objects.create(article=article, user=user, helpful=helpful)
    if helpful:
        article.helpful_yes += 1
    else:
        article.helpful_no += 1
    article.save(update_fields=["helpful_yes", "helpful_no"])
    return article


@transaction.atomic
def link_article_to_case(*, case: Case, article: Article, actor: User, channel: str = Channel.WEB) -> CaseArticle:
    """Mark the case as solved by (or related to) an article."""
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers link articles to cases."))
    link, created = CaseArticle.objects.get_or_create(case=case, article=article, defaults={"linked_by": actor})
    if created:
        record_event(
            case=case,
            actor=actor,
            channel=channel,
            kind=EventKind.MESSAGE,
            after={"article": article.pk},
            note=_("Solved by article: %(title)s") % {"title": article.title},
            # Customers never see a draft, not even its title in the case history.
            public=article.published,
        )
    return link


@transaction.atomic
def create_news(
    *, actor: User, title: str, body: str, language: str, published: bool = True, published_at=None
) -> NewsItem:  # type: ignore[no-untyped-def]
    _require_staff(actor)
    title, body = _clean(title=title, body=body, language=language)
    return NewsItem.objects.create(
        title=title,
        body=body,
        body_html=render_markdown(body),
        language=language,
        published=published,
        published_at=published_at or timezone.now(),
        author=actor,
    )
