"""Reads for the knowledge base: visibility, ranked search with snippets, suggestions,
news and deflections."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, User
from cases.models import Case as SupportCase

from .models import SEARCH_CONFIG, TRIGRAM_LANGUAGES, Article, NewsItem, SuggestionOpen

QUERY_MAX = 200
DEFLECTION_WINDOW = timedelta(minutes=30)
# Markers for ts_headline: control characters no article contains, swapped for <mark>
# after the snippet has been HTML-escaped.
_START, _STOP = "\x02", "\x03"


def articles_visible_to(user: User) -> QuerySet[Article]:
    queryset = Article.objects.all()
    if not (user.is_authenticated and user.is_support_staff):
        queryset = queryset.filter(published=True)
    return queryset


def get_article_for(user: User, pk: int) -> Article:
    article = articles_visible_to(user).filter(pk=pk).select_related("author").first()
    if article is None:
        raise Http404
    return article


def clean_query(q: str | None) -> str:
    q = " ".join((q or "").split())
    if len(q) > QUERY_MAX:
        raise ValidationError({"q": _("Search for at most %(n)d characters.") % {"n": QUERY_MAX}})
    if "\x00" in q:
        raise ValidationError({"q": ProhibitNullCharactersValidator.message})
    return q


def clean_language(language: str | None) -> str | None:
    if not language:
        return None
    if language not in Language.values:
        raise ValidationError({"language": _("Choose one of the five languages: en, ko, zh-hans, fr, ru.")})
    return language


def snippet_html(text: str) -> str:
    """A ts_headline result made safe: escape everything, then mark the hits."""
    escaped = html.escape(text or "")
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


def _plain_snippet(text: str, q: str, width: int = 220) -> str:
    """A snippet around the first hit, for SQLite and for trigram (CJK) matches."""
    words = [w for w in q.split() if w]
    lowered = text.lower()
    position = min((lowered.find(w.lower()) for w in words if lowered.find(w.lower()) >= 0), default=0)
    start = max(0, position - width // 3)
    piece = text[start : start + width]
    escaped = html.escape(piece)
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.sub(re.escape(html.escape(word)), lambda m: f"<mark>{m.group(0)}</mark>", escaped, flags=re.I)
    return ("…" if start else "") + escaped + ("…" if start + width < len(text) else "")


def search_articles(
    user: User, q: str, *, language: str | None = None, product: str | None = None
) -> QuerySet[Article]:
    """Ranked full-text search. A title hit outranks a body hit. Each article is matched
    with its own language's configuration; Korean and Chinese also by trigram
    similarity. Results carry ``rank`` and ``snippet`` (safe HTML)."""
    q = clean_query(q)
    language = clean_language(language)
    queryset = articles_visible_to(user)
    if language:
        queryset = queryset.filter(language=language)
    if product:
        if "\x00" in product:
            raise ValidationError({"product": ProhibitNullCharactersValidator.message})
        queryset = queryset.filter(product__iexact=product.strip()[:100])
    if not q:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField())).order_by("-updated_at")
    if connection.vendor != "postgresql":
        return _search_plain(queryset, q)

    languages = [language] if language else list(SEARCH_CONFIG)
    queries = {lang: SearchQuery(q, config=SEARCH_CONFIG[lang], search_type="websearch") for lang in languages}
    match = Q()
    for lang, query in queries.items():
        match |= Q(language=lang, search_vector=query)
    trigram = any(lang in TRIGRAM_LANGUAGES for lang in languages)
    if trigram:
        # Korean and Chinese words are not split like European ones (particles glued
        # to Korean nouns, no spaces in Chinese): every word written inside the text
        # matches, as does a close trigram match of the whole query.
        every_word = Q()
        for word in q.split()[:8]:
            every_word &= Q(title__contains=word) | Q(body__contains=word)
        match |= Q(language__in=TRIGRAM_LANGUAGES) & (
            every_word | Q(title__trigram_word_similar=q) | Q(body__trigram_word_similar=q)
        )
    rank_by_language = Case(
        *[When(language=lang, then=SearchRank(F("search_vector"), query)) for lang, query in queries.items()],
        default=Value(0.0),
        output_field=FloatField(),
    )
    rank = rank_by_language
    if trigram:
        from django.contrib.postgres.search import TrigramWordSimilarity

        rank = Greatest(rank_by_language, TrigramWordSimilarity(q, "title") * Value(0.5))
    headline = Case(
        *[
            When(
                language=lang,
                then=SearchHeadline(
                    "body",
                    query,
                    config=SEARCH_CONFIG[lang],
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                ),
            )
            for lang, query in queries.items()
        ],
        default=Value(""),
        output_field=TextField(),
    )
    return queryset.filter(match).annotate(rank=rank, headline=headline).order_by("-rank", "-updated_at", "-id")


def _search_plain(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    words = q.split()[:8]
    match = Q()
    title_hits = Q()
    for word in words:
        match &= Q(title__icontains=word) | Q(body__icontains=word) | Q(tags__icontains=word)
        title_hits &= Q(title__icontains=word)
    return (
        queryset.filter(match)
        .annotate(rank=Case(When(title_hits, then=Value(1.0)), default=Value(0.5), output_field=FloatField()))
        .order_by("-rank", "-updated_at", "-id")
    )


def with_snippets(articles: list[Article], q: str) -> list[Article]:
    """Give each result a safe, highlighted ``snippet``."""
    for article in articles:
        headline = getattr(article, "headline", "") or ""
        if q and _START in headline:
            article.snippet = snippet_html(headline)
        else:
            article.snippet = _plain_snippet(article.body, q) if q else html.escape(article.body[:220])
    return articles


def suggest_articles(user: User, q: str, *, limit: int = 5) -> list[Article]:
    """Top articles for a case being logged (title typed so far), in any language, the
    user's own language first."""
    q = clean_query(q)
    if len(q) < 3:
        return []
    results = list(
        search_articles(user, q).only("id", "title", "language", "product", "tags", "published", "body", "updated_at")[
            : limit * 2
        ]
    )
    preferred = getattr(user, "language", None)
    results.sort(key=lambda a: (a.language != preferred, -float(getattr(a, "rank", 0) or 0)))
    return with_snippets(results[:limit], q)


def latest_news(language: str | None, *, limit: int = 5) -> list[NewsItem]:
    """Published news in the language, falling back to English when there is none."""
    now = timezone.now()
    published = NewsItem.objects.filter(published=True, published_at__lte=now).order_by("-published_at")
    items = list(published.filter(language=language or Language.EN)[:limit])
    if not items and language != Language.EN:
        items = list(published.filter(language=Language.EN)[:limit])
    return items


def deflections(*, since: datetime, until: datetime | None = None) -> int:
    """Suggested articles opened by a customer who then logged no case within the window."""
    until = until or timezone.now()
    logged_after = SupportCase.objects.filter(
        requester=OuterRef("user"),
        created_at__gte=OuterRef("created_at"),
        created_at__lte=OuterRef("created_at") + DEFLECTION_WINDOW,
    )
    return (
        SuggestionOpen.objects.filter(created_at__gte=since, created_at__lte=until - DEFLECTION_WINDOW)
        .exclude(Exists(logged_after))
        .count()
    )
