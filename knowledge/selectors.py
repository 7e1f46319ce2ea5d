"""Reads for the knowledge base: visibility, ranked search with snippets, suggestions,
news and deflections."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connection, transaction
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Greatest, Left, Lower, StrIndex, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, User
from cases.models import Case as SupportCase

from .models import SEARCH_CONFIG, TRIGRAM_LANGUAGES, Article, NewsItem, SuggestionOpen
from .search import cjk_tsquery

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


# Ranking reads every candidate's stored vector (TOASTed: a second read per row), so it
# is done over a bounded set of candidates found through the GIN indexes alone: up to
# this many title hits (ranked highest), and this many matches anywhere.
CANDIDATES = 100
SUGGESTION_CANDIDATES = 30
# Only what a result list shows (no body, body_html or search_vector).
LIST_FIELDS = ("id", "title", "language", "product", "tags", "published", "updated_at")
SNIPPET_WIDTH = 220
# ts_headline reads HEADLINE_WINDOW characters of the body, starting HEADLINE_BEFORE
# before the first HEADLINE_ANCHOR letters of the longest query word.
HEADLINE_ANCHOR = 5
HEADLINE_BEFORE = 150
HEADLINE_WINDOW = 700
# The candidate query reads the GIN indexes and stops after the candidates: no plan
# whose cost depends on the planner's guess of how many articles match (an index scan
# by date or a sequential scan that filters every row's vector until enough are found:
# 1.5 s for a word PostgreSQL thought common and that is absent from the language).
_BITMAP_ONLY = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off"
_PLANNER_DEFAULTS = "RESET enable_seqscan; RESET enable_indexscan; RESET enable_indexonlyscan"


class SearchResults:
    """The results of a search, in rank order, for a ``Paginator`` (``count()`` and
    slices). A slice is one query: its rows with their snippets.

    With words on PostgreSQL the list is the candidates (see ``CANDIDATES``), ranked:
    ``truncated`` says more articles match than the list holds (refine the words).
    Without words, or on SQLite, it is the whole filtered list, counted exactly."""

    def __init__(
        self,
        *,
        q: str,
        queryset: QuerySet[Article],
        count: int | None = None,
        truncated: bool = False,
    ) -> None:
        self.q = q
        self.queryset = queryset
        self.truncated = truncated
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Article]:
        if not isinstance(key, slice):
            raise TypeError("SearchResults are read by slices")
        if self._count == 0:
            return []
        return with_snippets(list(self.queryset[key]), self.q)


class _Plan:
    """The PostgreSQL expressions of one search: which articles match (each with its own
    language's configuration), which match by their title, their rank and snippet."""

    def __init__(self, q: str, languages: list[str]) -> None:
        self.q = q
        self.queries: dict[str, SearchQuery] = {}
        cjk = cjk_tsquery(q)
        for lang in languages:
            if lang in TRIGRAM_LANGUAGES:
                if cjk:
                    self.queries[lang] = SearchQuery(cjk, config="simple", search_type="raw")
            else:
                self.queries[lang] = SearchQuery(q, config=SEARCH_CONFIG[lang], search_type="websearch")
        self.languages = languages
        self.cjk_languages = [lang for lang in languages if lang in TRIGRAM_LANGUAGES]

    def _condition(self, languages: list[str], vector: str) -> Q:
        """The condition of these languages, written so that each can use the GIN index
        of ``vector`` (the planner ORs the bitmaps)."""
        match = Q(pk__in=[])
        european = [lang for lang in languages if lang in self.queries and lang not in TRIGRAM_LANGUAGES]
        for lang in european:
            match |= Q(language=lang, **{vector: self.queries[lang]})
        cjk = [lang for lang in languages if lang in self.queries and lang in TRIGRAM_LANGUAGES]
        if cjk:
            # Korean and Chinese share one configuration, so one condition for both.
            match |= Q(language__in=cjk, **{vector: self.queries[cjk[0]]})
        trigram = [lang for lang in languages if lang in TRIGRAM_LANGUAGES]
        if trigram:
            # A close trigram match of the whole query with a Korean or Chinese title
            # (index kb_article_title_trgm_cjk). Bodies are not compared by trigram: that
            # reads every body.
            match |= Q(language__in=trigram, title__trigram_word_similar=self.q)
        return match

    def title_match(self) -> Q:
        """Matched by the title (index kb_article_lang_title on the small stored vector)."""
        return self._condition(self.languages, "title_vector")

    def match(self) -> Q:
        """Matched anywhere (index kb_article_lang_search)."""
        return self._condition(self.languages, "search_vector")

    def rank(self) -> Case | Greatest:
        rank_by_language = Case(
            *[When(language=lang, then=SearchRank(F("search_vector"), query)) for lang, query in self.queries.items()],
            default=Value(0.0),
            output_field=FloatField(),
        )
        if not self.cjk_languages:
            return rank_by_language
        return Greatest(rank_by_language, TrigramWordSimilarity(self.q, "title") * Value(0.5))

    def _body_window(self) -> Substr | str:
        """The part of the body ts_headline reads: from a little before the first place
        the longest query word's first letters appear (``connect`` for "connection",
        which also finds "connecting") — parsing the whole body is most of a search's
        cost. Where they do not appear (another form of the word), the body's start."""
        words = sorted(re.findall(r"\w+", self.q.lower()), key=len, reverse=True)
        if not words:
            return "body"
        anchor = words[0][:HEADLINE_ANCHOR]
        start = Greatest(StrIndex(Lower("body"), Value(anchor)) - Value(HEADLINE_BEFORE), Value(1))
        return Substr("body", start, HEADLINE_WINDOW)

    def headline(self) -> Case:
        window = self._body_window()
        return Case(
            *[
                When(
                    language=lang,
                    then=SearchHeadline(
                        window,
                        query,
                        config=SEARCH_CONFIG[lang],
                        start_sel=_START,
                        stop_sel=_STOP,
                        max_words=35,
                        min_words=15,
                        max_fragments=2,
                    ),
                )
                for lang, query in self.queries.items()
                if lang not in TRIGRAM_LANGUAGES
            ],
            default=Value(""),
            output_field=TextField(),
        )

    @staticmethod
    def plain_text() -> Case:
        """The body, only where ts_headline cannot mark the hits (Korean and Chinese
        words are pieces of the stored vector, not words of the parser)."""
        return Case(When(language__in=TRIGRAM_LANGUAGES, then=F("body")), default=Value(""), output_field=TextField())


def _filtered(user: User, language: str | None, product: str | None) -> QuerySet[Article]:
    queryset = articles_visible_to(user)
    if language:
        queryset = queryset.filter(language=language)
    if product:
        if "\x00" in product:
            raise ValidationError({"product": ProhibitNullCharactersValidator.message})
        queryset = queryset.filter(product__iexact=product.strip()[:100])
    return queryset


def search_articles(
    user: User,
    q: str,
    *,
    language: str | None = None,
    product: str | None = None,
    candidates: int | None = None,
    enough_titles: int | None = None,
) -> SearchResults:
    """Ranked full-text search. A title hit outranks a body hit. Each article is matched
    with its own language's configuration; Korean and Chinese by the two-character
    pieces of their words and by trigram similarity of the title. Results carry
    ``rank`` and ``snippet`` (safe HTML).

    PostgreSQL, at most three queries whatever the number of matches (plus the planner
    setting): the candidates' ids through the GIN indexes only — (1) up to
    ``candidates`` title hits and, if there are fewer than ``enough_titles`` (default:
    more than ``candidates``), (2) up to ``candidates`` matches anywhere, each stopping
    as soon as it has them; (3) per page, the candidates ranked, with the page's rows
    and snippets."""
    q = clean_query(q)
    language = clean_language(language)
    queryset = _filtered(user, language, product)
    if not q:
        listed = queryset.only(*LIST_FIELDS).annotate(plain_text=Left("body", SNIPPET_WIDTH))
        return SearchResults(q="", queryset=listed.order_by("-updated_at", "-id"))
    if connection.vendor != "postgresql":
        return SearchResults(q=q, queryset=_search_plain(queryset, q))

    plan = _Plan(q, [language] if language else list(SEARCH_CONFIG))
    candidates = candidates or CANDIDATES
    enough_titles = min(enough_titles or candidates + 1, candidates + 1)
    # Each part asks for one row more than it keeps, to know whether more match.
    by_title = queryset.filter(plan.title_match()).order_by().values_list("id", flat=True)[: candidates + 1]
    anywhere = queryset.filter(plan.match()).order_by().values_list("id", flat=True)[: candidates + 1]
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_BITMAP_ONLY)
        ids = set(by_title)
        truncated = len(ids) > candidates
        if len(ids) < enough_titles:
            # Fewer title hits than wanted: add matches in the body. (With more, those
            # would all be listed below the title hits: no need to read the long
            # posting lists of the body's words.)
            matches = list(anywhere)
            truncated = truncated or len(matches) > candidates
            ids.update(matches)
        if nested:  # else the transaction ends here, and the settings with it
            cursor.execute(_PLANNER_DEFAULTS)
    ranked = (
        Article.objects.filter(pk__in=ids)
        .only(*LIST_FIELDS)
        .annotate(rank=plan.rank(), headline=plan.headline(), plain_text=plan.plain_text())
        .order_by("-rank", "-updated_at", "-id")
    )
    return SearchResults(q=q, queryset=ranked, count=len(ids), truncated=truncated)


def _search_plain(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    # Words only, as on PostgreSQL: operators and quotes are not searched for.
    words = re.findall(r"\w+", q)[:8]
    if not words:
        return queryset.none()
    match = Q()
    title_hits = Q()
    for word in words:
        match &= Q(title__icontains=word) | Q(body__icontains=word) | Q(tags__icontains=word)
        title_hits &= Q(title__icontains=word)
    return (
        queryset.filter(match)
        .only(*LIST_FIELDS)
        .annotate(
            rank=Case(When(title_hits, then=Value(1.0)), default=Value(0.5), output_field=FloatField()),
            plain_text=F("body"),
        )
        .order_by("-rank", "-updated_at", "-id")
    )


def with_snippets(articles: list[Article], q: str) -> list[Article]:
    """Give each result a safe, highlighted ``snippet``: ts_headline's where it marked a
    hit, else one cut around the first word found in ``plain_text`` (SQLite, Korean and
    Chinese), else the start of the body."""
    for article in articles:
        headline = getattr(article, "headline", "") or ""
        plain = getattr(article, "plain_text", "") or ""
        if q and _START in headline:
            article.snippet = snippet_html(headline)
        elif q and plain:
            article.snippet = _plain_snippet(plain, q)
        else:
            article.snippet = html.escape((headline or plain)[:SNIPPET_WIDTH])
    return articles


def suggest_articles(user: User, q: str, *, limit: int = 5) -> list[Article]:
    """Top articles for a case being logged (title typed so far), in any language, the
    user's own language first."""
    q = clean_query(q)
    if len(q) < 3:
        return []
    preferred = getattr(user, "language", None)
    articles = search_articles(user, q, candidates=min(SUGGESTION_CANDIDATES, CANDIDATES), enough_titles=limit * 2)[
        : limit * 2
    ]
    articles.sort(key=lambda a: (a.language != preferred, -float(getattr(a, "rank", 0) or 0)))
    return articles[:limit]


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
