"""Each figure once, for three readers: the chart (JSON for static/js/figures.js), the
table beside it (for screen readers and without JavaScript) and the CSV download.

A builder runs its selector for a scope and returns a ``Figure``: translated title and
column headers, raw rows (dates, numbers, ``None`` for "no data") and the chart's
description. Nothing here queries the database except through ``insights.selectors``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Severity

from . import selectors
from .forms import Scope

Cell = datetime.date | int | float | str | None


@dataclass
class Figure:
    key: str
    title: str
    description: str
    summary: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def display_rows(self) -> list[list[str]]:
        return [[display(cell) for cell in row] for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, **self.chart}


def display(cell: Cell) -> str:
    """A cell as the page shows it, in the viewer's locale."""
    if cell is None:
        return "—"
    if isinstance(cell, datetime.date):
        return formats.date_format(cell, "SHORT_DATE_FORMAT")
    if isinstance(cell, float):
        return formats.number_format(cell, 1)
    if isinstance(cell, int):
        return formats.number_format(cell)
    return cell


def _label(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _percent(value: float | None) -> str:
    return "—" if value is None else formats.number_format(value, 1) + "%"


def _severity(value: str) -> str:
    return str(Severity(value).label)


def backlog(scope: Scope) -> Figure:
    series = selectors.backlog_over_time(**scope.selector_kwargs())
    daily = series.granularity == "day"
    last = series.points[-1].open if series.points else 0
    return Figure(
        key="backlog",
        title=_("Open backlog"),
        description=_("Open cases at the end of each day.") if daily else _("Open cases at the end of each week."),
        summary=ngettext(
            "%(count)s case open at the end of the period.", "%(count)s cases open at the end of the period.", last
        )
        % {"count": formats.number_format(last)},
        columns=[_("Day") if daily else _("Week ending"), _("Open cases")],
        rows=[[point.day, point.open] for point in series.points],
        chart={
            "kind": "line",
            "labels": [_label(point.day) for point in series.points],
            "datasets": [{"label": _("Open cases"), "data": [p.open for p in series.points], "color": "primary"}],
            "yTitle": _("Open cases"),
        },
    )


def sla_compliance(scope: Scope) -> Figure:
    rows = selectors.sla_compliance_by_severity(**scope.selector_kwargs())
    met = sum(row.met for row in rows)
    decided = sum(row.decided for row in rows)
    overall = round(100 * met / decided, 1) if decided else None
    return Figure(
        key="sla",
        title=_("First-response SLA compliance by severity"),
        description=_(
            "Cases logged in the period whose first response came by its due time, among those answered or overdue."
        ),
        summary=(
            _("%(share)s met overall (%(met)s of %(decided)s).")
            % {"share": _percent(overall), "met": formats.number_format(met), "decided": formats.number_format(decided)}
            if decided
            else _("No first response was due in the period.")
        ),
        columns=[_("Severity"), _("On time"), _("Late or overdue"), _("Not yet due"), _("Compliance (%)")],
        rows=[[_severity(row.severity), row.met, row.breached, row.pending, row.share] for row in rows],
        chart={
            "kind": "bar",
            "labels": [_severity(row.severity) for row in rows],
            "datasets": [{"label": _("Compliance (%)"), "data": [row.share for row in rows], "color": "primary"}],
            "percent": True,
            "yTitle": _("Compliance (%)"),
        },
    )


def escalations(scope: Scope) -> Figure:
    weeks = selectors.escalations_per_week(**scope.selector_kwargs())
    m1, m2 = sum(w.m1 for w in weeks), sum(w.m2 for w in weeks)
    return Figure(
        key="escalations",
        title=_("Escalations per week"),
        description=_("Management escalations raised each week, by level."),
        summary=_("%(m1)s to M1 and %(m2)s to M2 in the period.")
        % {"m1": formats.number_format(m1), "m2": formats.number_format(m2)},
        columns=[_("Week starting"), _("M1 — direct manager"), _("M2 — support management")],
        rows=[[w.week, w.m1, w.m2] for w in weeks],
        chart={
            "kind": "bar",
            "stacked": True,
            "labels": [_label(w.week) for w in weeks],
            "datasets": [
                {"label": _("M1 — direct manager"), "data": [w.m1 for w in weeks], "color": "m1"},
                {"label": _("M2 — support management"), "data": [w.m2 for w in weeks], "color": "m2"},
            ],
            "yTitle": _("Escalations"),
        },
    )


def l1_resolution(scope: Scope) -> Figure:
    result = selectors.l1_resolution_share(**scope.selector_kwargs())
    low, high = selectors.L1_TARGET_LOW, selectors.L1_TARGET_HIGH
    target = _("Target: %(low)s–%(high)s%%") % {"low": low, "high": high}
    if result.share is None:
        summary = _("No case was closed in the period.")
    else:
        summary = _("%(share)s of %(closed)s closed cases never left L1.") % {
            "share": _percent(result.share),
            "closed": formats.number_format(result.closed),
        }
        if result.share < low:
            summary += " " + _("Below the %(low)s–%(high)s%% target.") % {"low": low, "high": high}
        elif result.share > high:
            summary += " " + _("Above the %(low)s–%(high)s%% target.") % {"low": low, "high": high}
        else:
            summary += " " + _("Within the %(low)s–%(high)s%% target.") % {"low": low, "high": high}
    return Figure(
        key="l1",
        title=_("Closed cases resolved at L1"),
        description=_(
            # xgettext:no-python-format
            "Share of the cases closed each week that stayed at L1 from logging to closing. "
            "L1 should resolve 70–80% of cases on its own."
        ),
        summary=summary,
        columns=[_("Week starting"), _("Closed"), _("Resolved at L1"), _("Share (%)")],
        rows=[[w.week, w.closed, w.resolved_at_l1, w.share] for w in result.weeks]
        + [[_("Whole period"), result.closed, result.resolved_at_l1, result.share]],
        chart={
            "kind": "line",
            "labels": [_label(w.week) for w in result.weeks],
            "datasets": [
                {"label": _("Resolved at L1 (%)"), "data": [w.share for w in result.weeks], "color": "primary"}
            ],
            "percent": True,
            "band": {"low": low, "high": high, "label": target},
            "yTitle": _("Share (%)"),
        },
    )


def first_response(scope: Scope) -> Figure:
    rows = selectors.median_first_response_minutes(**scope.selector_kwargs())
    overall = rows[-1]
    labels = [_severity(row.severity) if row.severity else _("All severities") for row in rows]
    return Figure(
        key="first-response",
        title=_("Median time to first response"),
        description=_(
            "Minutes from logging to the first staff reply (wall-clock time), for cases logged in the period."
        ),
        summary=(
            _("%(minutes)s minutes over all severities (%(count)s cases).")
            % {"minutes": formats.number_format(overall.minutes, 1), "count": formats.number_format(overall.cases)}
            if overall.minutes is not None
            else _("No case logged in the period has had a first response yet.")
        ),
        columns=[_("Severity"), _("Cases answered"), _("Median (minutes)")],
        rows=[[label, row.cases, row.minutes] for label, row in zip(labels, rows, strict=True)],
        chart={
            "kind": "bar",
            "labels": labels,
            "datasets": [{"label": _("Median (minutes)"), "data": [row.minutes for row in rows], "color": "primary"}],
            "yTitle": _("Minutes"),
        },
    )


FIGURES: dict[str, Callable[[Scope], Figure]] = {
    "backlog": backlog,
    "sla": sla_compliance,
    "escalations": escalations,
    "l1": l1_resolution,
    "first-response": first_response,
}

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(cell: Cell) -> str | int | float:
    """A cell for a spreadsheet: dates in ISO form, empty for no data, and text that a
    spreadsheet would run as a formula neutralized with a leading apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, int | float):
        return cell
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(figure: Figure) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in figure.columns])
    for row in figure.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
