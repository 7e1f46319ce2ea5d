"""The managers' figures page and its CSV downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import charts
from .forms import FiguresFilterForm
from .permissions import can_see_figures
from .selectors import deflection_count


def _require_management(request: HttpRequest) -> None:
    if not can_see_figures(request.user):
        raise PermissionDenied(_("The figures are for managers, directors and administrators."))


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    _require_management(request)
    form = FiguresFilterForm.from_query(request.GET)
    if not form.is_valid():
        return render(request, "insights/figures.html", {"form": form}, status=400)
    scope = form.scope()
    built = [build(scope) for build in charts.FIGURES.values()]
    context = {
        "form": form,
        "scope": scope,
        "figures": built,
        "deflections": deflection_count(start=scope.start, end=scope.end),
        "query": request.GET.urlencode(),
        "data": {"charts": [figure.as_json() for figure in built]},
    }
    return render(request, "insights/figures.html", context)


@login_required
@require_GET
def figures_csv(request: HttpRequest, chart: str) -> HttpResponse:
    _require_management(request)
    build = charts.FIGURES.get(chart)
    if build is None:
        raise Http404
    form = FiguresFilterForm.from_query(request.GET)
    if not form.is_valid():
        lines = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    scope = form.scope()
    response = HttpResponse(charts.as_csv(build(scope)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="figures-{chart}-{scope.date_from}-{scope.date_to}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
