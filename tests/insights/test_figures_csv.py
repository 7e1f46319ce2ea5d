"""Every chart downloads as CSV with the page's filters."""

from __future__ import annotations

import csv
import io

import pytest

from insights.charts import csv_cell

from .conftest import PERIOD, at

pytestmark = pytest.mark.django_db

HEADERS = {
    "backlog": ["Day", "Open cases"],
    "sla": ["Severity", "On time", "Late or overdue", "Not yet due", "Compliance (%)"],
    "escalations": ["Week starting", "M1 — direct manager", "M2 — support management"],
    "l1": ["Week starting", "Closed", "Resolved at L1", "Share (%)"],
    "first-response": ["Severity", "Cases answered", "Median (minutes)"],
}


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize("chart", list(HEADERS))
def test_each_chart_downloads_as_csv_with_a_header_row(browser_for, manager, clock, make_case, chart):
    make_case(created=at(4), closed=at(5), first_response_at=at(4, 10, 30))

    response = browser_for(manager).get(f"/staff/figures/csv/{chart}/", PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="figures-{chart}-2025-03-03-2025-03-16.csv"'
    rows = rows_of(response)
    assert rows[0] == HEADERS[chart]
    assert len(rows) > 1


def test_the_csv_holds_the_same_numbers_as_the_page(browser_for, manager, clock, make_case):
    for day in (4, 5, 6):
        make_case(created=at(day - 1), closed=at(day))
    make_case(created=at(6), closed=at(7), tier="L2")

    rows = rows_of(browser_for(manager).get("/staff/figures/csv/l1/", PERIOD))

    assert rows[1:] == [
        ["2025-03-03", "4", "3", "75.0"],
        ["2025-03-10", "0", "0", ""],
        ["Whole period", "4", "3", "75.0"],
    ]


def test_the_backlog_csv_lists_every_day_in_iso_form(browser_for, manager, clock, make_case):
    make_case(created=at(4))

    rows = rows_of(browser_for(manager).get("/staff/figures/csv/backlog/", PERIOD))

    assert rows[1] == ["2025-03-03", "0"]
    assert rows[2] == ["2025-03-04", "1"]
    assert len(rows) == 1 + 14


@pytest.mark.parametrize("person", ["alice", "engineer"])
def test_the_csv_is_refused_to_customers_and_engineers(browser_for, request, person):
    response = browser_for(request.getfixturevalue(person)).get("/staff/figures/csv/backlog/")

    assert response.status_code == 403


def test_an_unknown_chart_is_not_found(browser_for, manager):
    assert browser_for(manager).get("/staff/figures/csv/salaries/").status_code == 404


def test_bad_filters_answer_400_in_plain_text(browser_for, manager):
    response = browser_for(manager).get(
        "/staff/figures/csv/sla/", {"period": "custom", "date_from": "2025-03-16", "date_to": "2025-03-03"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "The last day cannot be before the first day." in response.content.decode()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Critical", "Critical"),
        (-3, -3),
        (75.0, 75.0),
        (None, ""),
    ],
)
def test_csv_text_cells_cannot_start_a_formula(value, written):
    assert csv_cell(value) == written
