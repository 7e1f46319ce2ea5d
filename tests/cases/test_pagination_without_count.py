"""The case lists never count a big table whole.

GET /api/v1/cases/ and the Case Tracker count at most 1,000 rows (or a few pages past the
one asked for): below that the count is exact, above it the API says ``count_exact:
false`` and the tracker "1,000+ cases", and walking the pages still reaches every case
exactly once. The tests lower the 1,000 so that a few dozen cases cross it.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Severity, Status
from cases.services import log_time
from casetracker import pagination
from tests.factories import CaseFactory

URL = "/api/v1/cases/"
TRACKER_URL = "/cases/"
DASHBOARD_URL = "/staff/"


def html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def text_of(markup: str) -> str:
    """What a reader sees (tags removed)."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def text(response) -> str:  # type: ignore[no-untyped-def]
    return text_of(html(response))


@pytest.fixture
def small_floor(monkeypatch):  # type: ignore[no-untyped-def]
    """Count exactly up to 10 rows and one page past the one asked for."""
    monkeypatch.setattr(pagination, "COUNT_FLOOR", 10)
    monkeypatch.setattr(pagination, "LOOKAHEAD_PAGES", 1)


@pytest.fixture
def thirty(acme, alice, engineer):  # type: ignore[no-untyped-def]
    """30 cases of Acme, every third one critical, each with 30 minutes logged."""
    cases = [
        CaseFactory(
            organization=acme,
            requester=alice,
            title=f"Numbered case {n:02d}",
            severity=Severity.CRITICAL if n % 3 == 0 else Severity.LOW,
            severity_rank=1 if n % 3 == 0 else 4,
            status=Status.OPEN,
        )
        for n in range(30)
    ]
    for case in cases:
        log_time(case=case, actor=engineer, minutes=30)
        case.refresh_from_db()
    return cases


def walk(client, params):  # type: ignore[no-untyped-def]
    """Every page of the API list, following `next`; returns the pages' bodies."""
    pages = [client.get(URL, params).json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
        assert len(pages) < 50
    return pages


def counting_queries(queries) -> list[str]:  # type: ignore[no-untyped-def]
    return [q["sql"] for q in queries.captured_queries if re.search(r"\bCOUNT\(", q["sql"], re.IGNORECASE)]


def test_a_small_list_is_counted_exactly(api, engineer, thirty):
    body = api(engineer).get(URL, {"page_size": 10}).json()

    assert body["count"] == 30
    assert body["count_exact"] is True
    assert set(body) == {"count", "count_exact", "next", "previous", "results"}


def test_a_big_list_says_its_count_is_a_lower_bound(api, engineer, thirty, small_floor):
    body = api(engineer).get(URL, {"page_size": 5}).json()

    # Page 1 and the page after it are counted (10 rows), the rest is not.
    assert body["count"] == 10
    assert body["count_exact"] is False
    assert "page=2" in body["next"]
    assert len(body["results"]) == 5


@pytest.mark.parametrize("ordering", ["", "number", "-number", "severity", "-updated_at"])
def test_walking_the_pages_reaches_every_case_exactly_once(api, engineer, thirty, small_floor, ordering):
    params = {"page_size": 7, **({"ordering": ordering} if ordering else {})}
    pages = walk(api(engineer), params)

    seen = [case["number"] for page in pages for case in page["results"]]
    assert sorted(seen) == sorted(case.number for case in thirty)
    assert len(pages) == 5
    # Near the end the count becomes exact.
    assert (pages[-1]["count"], pages[-1]["count_exact"]) == (30, True)
    if ordering in ("", "-number"):
        assert seen == [case.number for case in reversed(thirty)]
    if ordering == "severity":
        assert [c["severity"] for p in pages for c in p["results"]][:10] == ["critical"] * 10


def test_a_page_past_the_end_is_still_not_found(api, engineer, thirty, small_floor):
    assert api(engineer).get(URL, {"page_size": 10, "page": 4}).status_code == 404
    assert api(engineer).get(URL, {"page_size": 10, "page": 3}).status_code == 200


def test_the_list_never_counts_the_table_whole(api, engineer, alice, thirty, small_floor):
    for user, params in [
        (engineer, {}),
        (engineer, {"q": "numbered"}),
        (engineer, {"status": "open", "severity": "low"}),
        (alice, {"page": 2, "page_size": 5}),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert api(user).get(URL, params).status_code == 200
        counts = counting_queries(queries)
        assert counts, "the list still says how many rows it has"
        assert all(re.search(r"\bLIMIT\b", sql) for sql in counts), counts


def test_the_tracker_shows_a_lower_bound_and_pages_on(browser_for, alice, thirty, small_floor, monkeypatch):
    monkeypatch.setattr(pagination, "LOOKAHEAD_PAGES", 0)
    client = browser_for(alice)

    with CaptureQueriesContext(connection) as queries:
        first_html = html(client.get(TRACKER_URL))
    first = text_of(first_html)
    second = text(client.get(TRACKER_URL, {"page": 2}))

    assert "25+ cases · page 1" in first
    assert "of 2" not in first
    assert 'href="?page=2" rel="next"' in first_html
    assert "…" in first  # the last page is not known
    assert all(re.search(r"\bLIMIT\b", sql) for sql in counting_queries(queries))
    # All of the customer's cases: the total hours still covers the 30 (15 h), the page 25.
    assert "Hours spent on this page 12.5" in first and "Hours spent in total 15.0" in first
    assert "30 cases · page 2 of 2" in second
    assert second.count("Numbered case") == 5


def test_a_filtered_big_tracker_list_shows_no_total_it_would_have_to_read_whole(
    browser_for, alice, thirty, small_floor, monkeypatch
):
    monkeypatch.setattr(pagination, "LOOKAHEAD_PAGES", 0)

    body = text(browser_for(alice).get(TRACKER_URL, {"status": "open"}))

    assert "25+ cases" in body
    assert "Hours spent on this page" in body
    assert "Hours spent in total" not in body


def test_a_tracker_list_of_up_to_1000_cases_is_counted_and_totalled_in_one_query(browser_for, alice, thirty):
    client = browser_for(alice)

    with CaptureQueriesContext(connection) as queries:
        body = text(client.get(TRACKER_URL, {"status": "open"}))

    assert "30 cases · page 1 of 2" in body
    assert "Hours spent in total 15.0" in body
    counts = counting_queries(queries)
    assert len(counts) == 1 and "SUM(" in counts[0].upper()
    assert not [q for q in queries.captured_queries if "SUM(" in q["sql"].upper() and q["sql"] not in counts]


def test_a_deep_tracker_page_reads_only_its_own_rows(browser_for, alice, thirty):
    client = browser_for(alice)

    with CaptureQueriesContext(connection) as queries:
        body = text(client.get(TRACKER_URL, {"page": 2}))

    assert body.count("Numbered case") == 5
    assert "Numbered case 04" in body and "Numbered case 05" not in body
    page_query = next(q["sql"] for q in queries.captured_queries if '"cases_case"."title"' in q["sql"])
    # The page's keys come from a subquery (deferred join), not an OFFSET over joined rows.
    assert re.search(r"IN \(SELECT .* OFFSET 25", page_query), page_query


def test_the_staff_dashboard_never_counts_a_queue(browser_for, engineer, thirty):
    for params in [{}, {"queue": "all"}, {"queue": "sla"}, {"queue": "all", "q": "numbered"}]:
        with CaptureQueriesContext(connection) as queries:
            assert browser_for(engineer).get(DASHBOARD_URL, params).status_code == 200
        assert all(re.search(r"\bLIMIT\b", sql) for sql in counting_queries(queries)), params


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("queue", "index"),
    [
        ("open", "case_open_queue"),
        # On a big table case_open_by_assignee; on the test's few rows either serves the order.
        ("unassigned", "case_open_by_assignee|case_open_queue"),
        ("sla", "case_sla_queue"),
        ("all", "case_all_queue"),
    ],
)
def test_each_queue_reads_its_page_in_index_order(browser_for, engineer, thirty, queue, index):
    """The queue's ORDER BY is served by an index (no sort of the table for one page)."""
    from cases.page_selectors import edown_first
    from cases.selectors import staff_queue

    queryset = edown_first(staff_queue(engineer, queue))[:26]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert re.search(index, plan), plan
    # No sort of the queue's rows before the limit (a sort of the 26 joined rows is fine).
    assert not re.search(r"Sort Key: \(CASE|Sort Key: cases_case\.severity_rank", plan), plan


def test_the_case_list_rows_are_the_same_as_before(api, engineer, thirty):
    """Deferred join and bounded count change no row: page 2 is rows 11–20 of the list."""
    page = api(engineer).get(URL, {"page_size": 10, "page": 2, "ordering": "severity"}).json()["results"]
    expected = list(Case.objects.order_by("severity_rank", "-id")[10:20])

    assert [c["severity"] for c in page] == [c.severity for c in expected]


@pytest.mark.postgres
def test_a_search_matching_far_more_than_would_be_counted_is_not_counted(
    api, engineer, thirty, small_floor, monkeypatch
):
    from cases.models import Case
    from cases.selectors import search_cases

    # The planner's estimate is real (an EXPLAIN, not run) ...
    estimate = pagination.planner_rows(search_cases(Case.objects.all(), "numbered"))
    assert isinstance(estimate, float) and estimate >= 1
    # ... but statistics of a 30-row test table say little: say "a million" instead.
    seen = []
    monkeypatch.setattr(pagination, "planner_rows", lambda queryset: seen.append(queryset) or 1e6)

    with CaptureQueriesContext(connection) as queries:
        body = api(engineer).get(URL, {"q": "numbered", "page_size": 5}).json()

    assert seen, "the planner was asked"
    assert (body["count"], body["count_exact"]) == (10, False)
    assert len(body["results"]) == 5 and "page=2" in body["next"]
    assert not counting_queries(queries)
    # A list without a text search is counted as before, the planner not asked.
    seen.clear()
    plain = api(engineer).get(URL, {"status": "open", "page_size": 5}).json()
    assert not seen and (plain["count"], plain["count_exact"]) == (10, False)


@pytest.mark.postgres
def test_a_search_the_planner_expects_to_match_few_rows_is_counted_exactly(api, engineer, thirty, small_floor):
    rare = api(engineer).get(URL, {"q": "numbered 07"}).json()
    assert (rare["count"], rare["count_exact"]) == (1, True)
    pages = walk(api(engineer), {"q": "numbered", "page_size": 7})
    assert sorted(c["number"] for p in pages for c in p["results"]) == sorted(c.number for c in thirty)


@pytest.mark.django_db
def test_only_a_text_search_asks_the_planner_before_counting():
    from cases.models import Case
    from cases.selectors import search_cases

    searched = search_cases(Case.objects.all(), "printer")

    assert pagination._counted_by_estimate(searched.query.where) is (connection.vendor == "postgresql")
    assert not pagination._counted_by_estimate(Case.objects.filter(title__icontains="printer").query.where)
    assert not pagination._counted_by_estimate(Case.objects.filter(status=Status.OPEN).query.where)


@pytest.mark.parametrize("url", [URL, "/api/v1/kb/articles/", "/api/v1/organizations/"])
@pytest.mark.parametrize("page", ["", "x", "0", "-1"])
def test_a_page_that_is_not_a_whole_number_is_refused(api, engineer, url, page):
    # An empty page= was read as page 1 (Schemathesis: the schema says it is an integer).
    response = api(engineer).get(url, {"page": page})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_the_last_page_can_still_be_asked_for_by_name(api, engineer, thirty):
    body = api(engineer).get(URL, {"page": "last", "page_size": 10}).json()

    assert [case["number"] for case in body["results"]] == [case.number for case in reversed(thirty[:10])]
