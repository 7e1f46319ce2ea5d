"""Browser pages of the knowledge base and news."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.permissions import is_staff
from casetracker.markup import render_markdown

from . import services
from .forms import ArticleForm, NewsForm, SearchForm
from .selectors import get_article_for, latest_news, search_articles, suggest_articles

PAGE_SIZE = 20


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("Only support staff can do this."))


def _add_errors(form, error: ValidationError) -> None:  # type: ignore[no-untyped-def]
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context = {"form": form, "page": None, "q": ""}
    status = 200
    if form.is_valid():
        q = form.cleaned_data["q"]
        try:
            results = search_articles(
                request.user,
                q,
                language=form.cleaned_data["language"] or None,
                product=form.cleaned_data["product"] or None,
            )
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
            context.update(page=page, q=q)
        except ValidationError as error:
            _add_errors(form, error)
            status = 400
    elif request.GET:
        status = 400
    else:
        results = search_articles(request.user, "", language=getattr(request.user, "language", None))
        context["page"] = Paginator(results, PAGE_SIZE).get_page(1)
    query = request.GET.copy()
    query.pop("page", None)
    context["querystring"] = query.urlencode()
    return render(request, "knowledge/search.html", context, status=status)


@login_required
@require_GET
def article(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_article_for(request.user, pk)
    services.record_article_view(article=item, user=request.user, from_suggestion=request.GET.get("from") == "suggest")
    return render(request, "knowledge/article.html", {"article": item})


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_article_for(request.user, pk)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        messages.error(request, _("Answer yes or no."))
        return redirect("knowledge:article", pk=item.pk)
    services.vote_article(article=item, user=request.user, helpful=helpful == "yes")
    if request.htmx:
        item.refresh_from_db()
        return render(request, "knowledge/_vote.html", {"article": item, "voted": True})
    messages.success(request, _("Thank you for your feedback."))
    return redirect("knowledge:article", pk=item.pk)


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The Case Logger's suggestions (htmx partial), updated as the title is typed."""
    try:
        articles = suggest_articles(request.user, request.GET.get("title") or request.GET.get("q") or "")
    except ValidationError:
        articles = []
    return render(request, "knowledge/_suggestions.html", {"articles": articles})


def _article_form_page(request: HttpRequest, form: ArticleForm, item=None, status: int = 200) -> HttpResponse:  # type: ignore[no-untyped-def]
    preview = render_markdown(form.data.get("body", "")) if form.is_bound else ""
    return render(request, "knowledge/edit.html", {"form": form, "article": item, "preview": preview}, status=status)


@login_required
def new_article(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ArticleForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            item = services.create_article(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The article has been saved."))
            return redirect("knowledge:article", pk=item.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return _article_form_page(request, form, status=status)


@login_required
def edit_article(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    item = get_article_for(request.user, pk)
    initial = {
        "title": item.title,
        "body": item.body,
        "language": item.language,
        "product": item.product,
        "tags": item.tags,
        "published": item.published,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            services.update_article(article=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The article has been saved."))
            return redirect("knowledge:article", pk=item.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    return _article_form_page(request, form, item, status=status)


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Rendered, sanitized Markdown for the editor's live preview (htmx)."""
    _require_staff(request)
    return render(request, "knowledge/_preview.html", {"preview": render_markdown(request.POST.get("body", ""))})


@login_required
def news(request: HttpRequest) -> HttpResponse:
    form = NewsForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST":
        _require_staff(request)
        if form.is_valid():
            try:
                services.create_news(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The news item has been posted."))
                return redirect("knowledge:news")
    items = latest_news(request.user.language, limit=20)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "knowledge/news.html", {"items": items, "form": form}, status=status)
