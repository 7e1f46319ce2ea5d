"""The figures' numbers on a small hand-built history (see conftest.py for the clock)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from accounts.models import Tier
from cases.models import Severity, Status
from escalation.models import Level
from insights import selectors
from knowledge.models import Article, SuggestionOpen
from tests.factories import CaseFactory

from .conftest import END, START, at

pytestmark = pytest.mark.django_db


def period(**filters):  # type: ignore[no-untyped-def]
    return {"start": START, "end": END, **filters}


# --- Share of closed cases resolved at L1 ---------------------------------------------


def test_three_of_four_closed_cases_kept_at_l1_make_75_percent(clock, make_case, change_tier):
    # given three cases closed at L1 and one that went to L2 and came back before closing
    make_case(created=at(3), closed=at(4))
    make_case(created=at(4), closed=at(5))
    make_case(created=at(10), closed=at(11))
    came_back = make_case(created=at(5), closed=at(6))
    change_tier(came_back, Tier.L2)
    # and cases that do not count: closed before the period, still open
    make_case(created=at(1), closed=at(2))
    make_case(created=at(5))

    result = selectors.l1_resolution_share(**period())

    assert (result.closed, result.resolved_at_l1, result.share, result.on_target) == (4, 3, 75.0, True)
    assert [(w.week, w.closed, w.resolved_at_l1, w.share) for w in result.weeks] == [
        (datetime.date(2025, 3, 3), 3, 2, 66.7),
        (datetime.date(2025, 3, 10), 1, 1, 100.0),
    ]


def test_a_case_closed_at_l2_is_not_resolved_at_l1_and_the_share_falls_below_target(clock, make_case, change_tier):
    for day in (4, 5, 6):
        make_case(created=at(day - 1), closed=at(day))
    escalated = make_case(created=at(7), closed=at(8), tier=Tier.L2)
    change_tier(escalated, Tier.L2)
    make_case(created=at(9), closed=at(12), tier=Tier.L3)

    result = selectors.l1_resolution_share(**period())

    assert (result.closed, result.resolved_at_l1, result.share, result.on_target) == (5, 3, 60.0, False)


def test_with_no_closed_case_the_l1_share_is_unknown(clock, make_case):
    make_case(created=at(4))

    result = selectors.l1_resolution_share(**period())

    assert (result.closed, result.share, result.on_target) == (0, None, None)
    assert [w.closed for w in result.weeks] == [0, 0]


# --- SLA compliance per severity ------------------------------------------------------


def test_sla_compliance_counts_on_time_late_overdue_and_not_yet_due_per_severity(clock, make_case):
    due = at(4, 12)
    high = {"severity": Severity.HIGH, "first_response_due_at": due}
    make_case(created=at(4, 9), first_response_at=at(4, 11), **high)  # on time
    make_case(created=at(4, 9), first_response_at=at(4, 12), **high)  # on time, to the minute
    make_case(created=at(4, 9), first_response_at=at(4, 13), **high)  # late
    make_case(created=at(4, 9), **high)  # never answered, overdue
    make_case(created=at(4, 9), closed=at(4, 11), close_reason="withdrawn", **high)  # withdrawn in time
    make_case(created=at(14), severity=Severity.HIGH, first_response_due_at=at(25))  # not due yet
    make_case(created=at(5), severity=Severity.LOW, first_response_due_at=at(6), first_response_at=at(5, 12))
    make_case(created=at(5), severity=Severity.MEDIUM)  # no due time: not measured
    make_case(created=at(1), severity=Severity.LOW, first_response_due_at=at(1, 12))  # before the period

    rows = {row.severity: row for row in selectors.sla_compliance_by_severity(**period())}

    assert list(rows) == [
        Severity.ENTERPRISE_DOWN,
        Severity.CRITICAL,
        Severity.HIGH,
        Severity.MEDIUM,
        Severity.LOW,
    ]
    assert (rows["high"].met, rows["high"].breached, rows["high"].pending, rows["high"].share) == (2, 2, 2, 50.0)
    assert (rows["low"].met, rows["low"].breached, rows["low"].share) == (1, 0, 100.0)
    assert (rows["medium"].met, rows["medium"].breached, rows["medium"].pending, rows["medium"].share) == (
        0,
        0,
        0,
        None,
    )
    assert rows["critical"].share is None


# --- Escalations per week ---------------------------------------------------------------


def test_escalations_are_counted_per_week_and_level(clock, make_case, escalate):
    first, second, third = make_case(created=at(3)), make_case(created=at(3)), make_case(created=at(3))
    escalate(first, Level.M1, at(4))
    escalate(second, Level.M1, at(9, 23))  # Sunday night: still the first week
    escalate(first, Level.M2, at(6))
    escalate(third, Level.M1, at(10, 0, 1))
    escalate(make_case(created=at(3)), Level.M1, at(17))  # after the period

    weeks = selectors.escalations_per_week(**period())

    assert [(w.week, w.m1, w.m2) for w in weeks] == [
        (datetime.date(2025, 3, 3), 2, 1),
        (datetime.date(2025, 3, 10), 1, 0),
    ]


def test_weeks_without_escalations_are_shown_as_zero(clock, make_case, escalate):
    escalate(make_case(created=at(3)), Level.M1, at(12))

    weeks = selectors.escalations_per_week(
        start=datetime.datetime(2025, 2, 24, tzinfo=datetime.UTC), end=END, organization_id=None, product=None
    )

    assert [(w.week, w.m1, w.m2) for w in weeks] == [
        (datetime.date(2025, 2, 24), 0, 0),
        (datetime.date(2025, 3, 3), 0, 0),
        (datetime.date(2025, 3, 10), 1, 0),
    ]


def test_weeks_follow_the_viewers_time_zone(clock, make_case, escalate):
    # Sunday 9 March 20:00 UTC is already Monday 10 March in Seoul.
    escalate(make_case(created=at(3)), Level.M1, at(9, 20))

    weeks = selectors.escalations_per_week(**period(), tz=zoneinfo.ZoneInfo("Asia/Seoul"))

    assert {w.week: w.m1 for w in weeks}[datetime.date(2025, 3, 10)] == 1
    assert {w.week: w.m1 for w in weeks}[datetime.date(2025, 3, 3)] == 0


# --- Median time to first response --------------------------------------------------------


def test_median_first_response_per_severity_and_overall(clock, make_case):
    for minutes in (10, 20, 60):
        make_case(
            created=at(5), severity=Severity.MEDIUM, first_response_at=at(5) + datetime.timedelta(minutes=minutes)
        )
    for minutes in (30, 50):
        make_case(created=at(6), severity=Severity.HIGH, first_response_at=at(6) + datetime.timedelta(minutes=minutes))
    make_case(created=at(6), severity=Severity.LOW)  # not answered yet
    make_case(created=at(1), severity=Severity.LOW, first_response_at=at(1, 11))  # before the period

    rows = {row.severity: row for row in selectors.median_first_response_minutes(**period())}

    assert (rows["medium"].cases, rows["medium"].minutes) == (3, 20.0)
    assert (rows["high"].cases, rows["high"].minutes) == (2, 40.0)
    assert (rows["low"].cases, rows["low"].minutes) == (0, None)
    assert (rows[None].cases, rows[None].minutes) == (5, 30.0)


# --- Backlog ----------------------------------------------------------------------------


@pytest.fixture
def history(make_case):  # type: ignore[no-untyped-def]
    make_case(created=datetime.datetime(2025, 2, 20, tzinfo=datetime.UTC))  # open throughout
    make_case(created=datetime.datetime(2025, 2, 25, tzinfo=datetime.UTC), closed=at(5, 14))
    make_case(created=at(4, 9), closed=at(6))
    make_case(created=at(10))
    make_case(
        created=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
        closed=datetime.datetime(2025, 2, 10, tzinfo=datetime.UTC),
    )


def test_backlog_counts_open_cases_at_the_end_of_each_day(clock, history):
    backlog = selectors.backlog_over_time(**period())

    assert backlog.granularity == "day"
    assert [(p.day.day, p.open) for p in backlog.points] == [
        (3, 2),
        (4, 3),
        (5, 2),
        (6, 1),
        (7, 1),
        (8, 1),
        (9, 1),
        (10, 2),
        (11, 2),
        (12, 2),
        (13, 2),
        (14, 2),
        (15, 2),
        (16, 2),
    ]


def test_a_long_backlog_counts_at_the_end_of_each_week(clock, history):
    backlog = selectors.backlog_over_time(
        start=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), end=END, organization_id=None, product=None
    )

    assert backlog.granularity == "week"
    assert len(backlog.points) == 11
    assert backlog.points[0].day == datetime.date(2025, 1, 5)  # the first Sunday
    assert backlog.points[-1].day == datetime.date(2025, 3, 16)  # the period's last day
    by_day = {p.day: p.open for p in backlog.points}
    assert by_day[datetime.date(2025, 2, 9)] == 1  # the February case, still open
    assert by_day[datetime.date(2025, 2, 23)] == 1  # only the long-running one
    assert by_day[datetime.date(2025, 3, 2)] == 2
    assert by_day[datetime.date(2025, 3, 9)] == 1
    assert by_day[datetime.date(2025, 3, 16)] == 2


# --- Filters ----------------------------------------------------------------------------


def test_the_organization_and_product_filters_narrow_every_figure(
    clock, make_case, acme, globex, oscar, escalate, change_tier
):
    make_case(created=at(4), closed=at(5))  # Acme, Vault, never left L1
    other_org = make_case(created=at(4), closed=at(5), organization=globex, requester=oscar)
    other_product = make_case(created=at(4), closed=at(5), product="Ledger")
    for case in (other_org, other_product):
        change_tier(case, Tier.L2)
        escalate(case, Level.M1, at(4, 12))

    assert selectors.l1_resolution_share(**period()).closed == 3
    only_acme = period(organization_id=acme.pk)
    assert selectors.l1_resolution_share(**only_acme).closed == 2
    assert selectors.l1_resolution_share(**period(product="vault")).closed == 2  # case-insensitive
    acme_vault = selectors.l1_resolution_share(**only_acme, product="VAULT")
    assert (acme_vault.closed, acme_vault.resolved_at_l1) == (1, 1)
    assert sum(w.m1 for w in selectors.escalations_per_week(**only_acme)) == 1
    assert sum(w.m1 for w in selectors.escalations_per_week(**period(product="Ledger"))) == 1
    assert sum(w.m1 for w in selectors.escalations_per_week(**period(organization_id=globex.pk))) == 1
    # 4 March, end of day: Acme has two cases open, one of them about Vault
    assert selectors.backlog_over_time(**only_acme).points[1].open == 2
    assert selectors.backlog_over_time(**only_acme, product="Vault").points[1].open == 1


# --- Deflections --------------------------------------------------------------------------


def test_deflections_count_suggestions_opened_without_a_case_following(clock, alice, acme):
    article = Article.objects.create(title="Reset a password", body="Use the link.", published=True)
    SuggestionOpen.objects.create(article=article, user=alice, created_at=at(5, 9))
    SuggestionOpen.objects.create(article=article, user=alice, created_at=at(6, 9))
    CaseFactory(organization=acme, requester=alice, created_at=at(6, 9, 10), status=Status.NEW)
    SuggestionOpen.objects.create(article=article, user=alice, created_at=at(1, 9))  # before the period

    assert selectors.deflection_count(start=START, end=END) == 1
