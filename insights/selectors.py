"""Reads for the managers' figures: set-based aggregates over cases and escalations.

Every function takes the same scope (a half-open period ``[start, end)``, an optional
organization and an optional product) and costs a fixed number of queries, whatever the
number of cases: counts are grouped in the database (``TruncDay``/``TruncWeek`` with
filtered ``Count``s), and Python only fills in the empty buckets of a bounded series.
Buckets are days and weeks (ISO weeks, starting on Monday) in the given time zone,
the viewer's by default.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDay, TruncWeek
from django.utils import timezone

from accounts.models import Tier
from cases.models import Case, CaseEvent, EventKind, Severity, Status
from escalation.models import Escalation, Level
from knowledge.selectors import deflections

# The share of cases that L1 should resolve on its own (the tiered-support article in
# shared/seeds: "the goal of this group is to handle 70–80% of user problems").
L1_TARGET_LOW = 70
L1_TARGET_HIGH = 80
# Backlog points are days up to this many days, weeks beyond.
DAILY_BACKLOG_MAX_DAYS = 62
# On SQLite (development) the median is taken in Python over at most this many of the
# period's most recent cases; PostgreSQL computes it exactly with percentile_cont.
MEDIAN_SAMPLE_MAX = 5000

SEVERITIES: list[str] = list(Severity.values)  # most urgent first


@dataclass(frozen=True)
class BacklogPoint:
    day: date  # the last day the point covers; the count is taken at its end
    open: int


@dataclass(frozen=True)
class Backlog:
    granularity: str  # "day" or "week"
    points: list[BacklogPoint]


@dataclass(frozen=True)
class SeverityCompliance:
    severity: str
    met: int  # answered on time
    breached: int  # answered late, or not answered and the due time has passed
    pending: int  # not answered yet and not due yet, or closed before it was due

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def share(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class WeekEscalations:
    week: date  # Monday
    m1: int
    m2: int


@dataclass(frozen=True)
class WeekL1:
    week: date  # Monday
    closed: int
    resolved_at_l1: int

    @property
    def share(self) -> float | None:
        return round(100 * self.resolved_at_l1 / self.closed, 1) if self.closed else None


@dataclass(frozen=True)
class L1Resolution:
    closed: int
    resolved_at_l1: int
    weeks: list[WeekL1]

    @property
    def share(self) -> float | None:
        return round(100 * self.resolved_at_l1 / self.closed, 1) if self.closed else None

    @property
    def on_target(self) -> bool | None:
        return None if self.share is None else L1_TARGET_LOW <= self.share <= L1_TARGET_HIGH


@dataclass(frozen=True)
class MedianFirstResponse:
    severity: str | None  # None: all severities
    cases: int
    minutes: float | None


def cases_in_scope(*, organization_id: int | None = None, product: str | None = None) -> QuerySet[Case]:
    queryset = Case.objects.order_by()
    if organization_id:
        queryset = queryset.filter(organization_id=organization_id)
    if product:
        queryset = queryset.filter(product__iexact=product.strip())
    return queryset


def _tz(tz: tzinfo | None) -> tzinfo:
    return tz or timezone.get_current_timezone()


def _local_days(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, date]:
    """The first and the last local day of ``[start, end)``."""
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(end - timedelta(microseconds=1), tz).date()
    return first, max(first, last)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    first, last = _local_days(start, end, tz)
    monday, weeks = _monday(first), []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _bucket_day(value: datetime | date, tz: tzinfo) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value, tz).date() if timezone.is_aware(value) else value.date()
    return value


def _counts_by(rows: Iterable[dict[str, Any]], tz: tzinfo) -> dict[date, int]:
    totals: dict[date, int] = {}
    for row in rows:
        day = _bucket_day(row["bucket"], tz)
        totals[day] = totals.get(day, 0) + row["n"]
    return totals


def backlog_over_time(
    *,
    start: datetime,
    end: datetime,
    organization_id: int | None = None,
    product: str | None = None,
    tz: tzinfo | None = None,
) -> Backlog:
    """Open cases at the end of each day (periods up to two months) or week of the period.

    Three queries whatever the period: the cases open when it starts, then cases created
    and cases closed per bucket; each point is the running balance. A case counts as
    open from ``created_at`` until ``closed_at`` (a reopened case has no ``closed_at``
    and counts as open throughout).
    """
    tz = _tz(tz)
    cases = cases_in_scope(organization_id=organization_id, product=product)
    first, last = _local_days(start, end, tz)
    daily = (last - first).days + 1 <= DAILY_BACKLOG_MAX_DAYS
    trunc = TruncDay if daily else TruncWeek

    baseline = cases.filter(created_at__lt=start).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start)).count()
    created = _counts_by(
        cases.filter(created_at__gte=start, created_at__lt=end)
        .annotate(bucket=trunc("created_at", tzinfo=tz))
        .values("bucket")
        .annotate(n=Count("id")),
        tz,
    )
    closed = _counts_by(
        cases.filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(bucket=trunc("closed_at", tzinfo=tz))
        .values("bucket")
        .annotate(n=Count("id")),
        tz,
    )

    if daily:
        buckets = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        step = timedelta(days=1)
    else:
        buckets = _weeks(start, end, tz)
        step = timedelta(days=7)
    points, balance = [], baseline
    for bucket in buckets:
        balance += created.get(bucket, 0) - closed.get(bucket, 0)
        points.append(BacklogPoint(day=min(bucket + step - timedelta(days=1), last), open=balance))
    return Backlog(granularity="day" if daily else "week", points=points)


def sla_compliance_by_severity(
    *,
    start: datetime,
    end: datetime,
    organization_id: int | None = None,
    product: str | None = None,
    now: datetime | None = None,
) -> list[SeverityCompliance]:
    """First-response compliance per severity, among the cases created in the period
    that have a first-response due time. One grouped query."""
    now = now or timezone.now()
    due = F("first_response_due_at")
    met = Q(first_response_at__isnull=False, first_response_at__lte=due)
    late = Q(first_response_at__isnull=False, first_response_at__gt=due)
    missed = Q(first_response_at__isnull=True, first_response_due_at__lt=now) & (
        Q(closed_at__isnull=True) | Q(closed_at__gt=due)
    )
    rows = (
        cases_in_scope(organization_id=organization_id, product=product)
        .filter(created_at__gte=start, created_at__lt=end, first_response_due_at__isnull=False)
        .values("severity")
        .annotate(total=Count("id"), met=Count("id", filter=met), breached=Count("id", filter=late | missed))
    )
    by_severity = {row["severity"]: row for row in rows}
    result = []
    for severity in SEVERITIES:
        row = by_severity.get(severity, {"total": 0, "met": 0, "breached": 0})
        result.append(
            SeverityCompliance(
                severity=severity,
                met=row["met"],
                breached=row["breached"],
                pending=row["total"] - row["met"] - row["breached"],
            )
        )
    return result


def escalations_per_week(
    *,
    start: datetime,
    end: datetime,
    organization_id: int | None = None,
    product: str | None = None,
    tz: tzinfo | None = None,
) -> list[WeekEscalations]:
    """Escalations raised each week of the period, by level (M1, M2). One grouped query."""
    tz = _tz(tz)
    escalations = Escalation.objects.order_by().filter(created_at__gte=start, created_at__lt=end)
    if organization_id:
        escalations = escalations.filter(case__organization_id=organization_id)
    if product:
        escalations = escalations.filter(case__product__iexact=product.strip())
    rows = (
        escalations.annotate(bucket=TruncWeek("created_at", tzinfo=tz))
        .values("bucket", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[date, str], int] = {}
    for row in rows:
        key = (_bucket_day(row["bucket"], tz), row["level"])
        counts[key] = counts.get(key, 0) + row["n"]
    return [
        WeekEscalations(week=week, m1=counts.get((week, Level.M1), 0), m2=counts.get((week, Level.M2), 0))
        for week in _weeks(start, end, tz)
    ]


def l1_resolution_share(
    *,
    start: datetime,
    end: datetime,
    organization_id: int | None = None,
    product: str | None = None,
    tz: tzinfo | None = None,
) -> L1Resolution:
    """Of the cases closed in the period, those that never left L1: at L1 when closed
    and no tier change on record. Per week and overall; one grouped query."""
    tz = _tz(tz)
    tier_changed = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.TIER)
    rows = (
        cases_in_scope(organization_id=organization_id, product=product)
        .filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(bucket=TruncWeek("closed_at", tzinfo=tz))
        .values("bucket")
        .annotate(
            closed=Count("id"),
            at_l1=Count("id", filter=Q(tier=Tier.L1) & ~Exists(tier_changed)),
        )
    )
    closed: dict[date, int] = {}
    at_l1: dict[date, int] = {}
    for row in rows:
        week = _bucket_day(row["bucket"], tz)
        closed[week] = closed.get(week, 0) + row["closed"]
        at_l1[week] = at_l1.get(week, 0) + row["at_l1"]
    weeks = [
        WeekL1(week=week, closed=closed.get(week, 0), resolved_at_l1=at_l1.get(week, 0))
        for week in _weeks(start, end, tz)
    ]
    return L1Resolution(
        closed=sum(w.closed for w in weeks), resolved_at_l1=sum(w.resolved_at_l1 for w in weeks), weeks=weeks
    )


class Median(Aggregate):
    """PostgreSQL's exact median (``percentile_cont(0.5)``), on numbers or intervals."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def median_first_response_minutes(
    *,
    start: datetime,
    end: datetime,
    organization_id: int | None = None,
    product: str | None = None,
) -> list[MedianFirstResponse]:
    """The median wall-clock time from logging to the first staff reply, in minutes, per
    severity and for all severities, over the cases created in the period that have had
    one. One query: exact on PostgreSQL, over the most recent cases on SQLite."""
    answered = cases_in_scope(organization_id=organization_id, product=product).filter(
        created_at__gte=start, created_at__lt=end, first_response_at__isnull=False
    )
    if connection.vendor == "postgresql":
        return _median_in_sql(answered)
    return _median_in_python(answered)


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _median_in_sql(answered: QuerySet[Case]) -> list[MedianFirstResponse]:
    wait = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    aggregates: dict[str, Any] = {"all_n": Count("id"), "all_m": Median(wait, output_field=DurationField())}
    for i, severity in enumerate(SEVERITIES):
        only = Q(severity=severity)
        aggregates[f"s{i}_n"] = Count("id", filter=only)
        aggregates[f"s{i}_m"] = Median(wait, filter=only, output_field=DurationField())
    row = answered.aggregate(**aggregates)
    result = [
        MedianFirstResponse(severity=severity, cases=row[f"s{i}_n"], minutes=_minutes(row[f"s{i}_m"]))
        for i, severity in enumerate(SEVERITIES)
    ]
    result.append(MedianFirstResponse(severity=None, cases=row["all_n"], minutes=_minutes(row["all_m"])))
    return result


def _median_in_python(answered: QuerySet[Case]) -> list[MedianFirstResponse]:
    sample = answered.order_by("-created_at").values_list("severity", "created_at", "first_response_at")[
        :MEDIAN_SAMPLE_MAX
    ]
    waits: dict[str, list[float]] = {severity: [] for severity in SEVERITIES}
    for severity, created_at, first_response_at in sample:
        waits.setdefault(severity, []).append((first_response_at - created_at).total_seconds() / 60)
    everything = [minutes for values in waits.values() for minutes in values]

    def median(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    result = [
        MedianFirstResponse(severity=severity, cases=len(waits[severity]), minutes=median(waits[severity]))
        for severity in SEVERITIES
    ]
    result.append(MedianFirstResponse(severity=None, cases=len(everything), minutes=median(everything)))
    return result


def deflection_count(*, start: datetime, end: datetime, now: datetime | None = None) -> int:
    """Cases the knowledge base deflected in the period (all organizations and products:
    a deflection is, by definition, a case that was never logged)."""
    now = now or timezone.now()
    until = min(end, now)
    if until <= start:
        return 0
    return deflections(since=start, until=until)
