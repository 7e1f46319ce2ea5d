"""GET /organizations/{id}/billing/?month=YYYY-MM: the month's billable work, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine


@pytest.fixture
def march_work(api, engineer, make_case):  # type: ignore[no-untyped-def]
    """Consultation work for Acme (New York time) around March 2026, and unbilled incident work."""
    review = make_case(title="Architecture review", request_type="consultation", status="open")
    tuning = make_case(title="=HYPERLINK(evil)", request_type="consultation", status="open")
    incident = make_case(title="Crash on start", request_type="incident", status="open")

    def log(at, case, minutes, **extra):  # type: ignore[no-untyped-def]
        with time_machine.travel(at, tick=False):
            response = api(engineer).post(
                f"/api/v1/cases/{case.number}/time/", {"minutes": minutes, **extra}, format="json"
            )
        assert response.status_code == 201, response.json()

    utc = dt.UTC
    log(dt.datetime(2026, 2, 28, 12, 0, tzinfo=utc), review, 600)  # February
    log(dt.datetime(2026, 3, 1, 3, 0, tzinfo=utc), review, 500)  # 22:00 on Feb 28 in New York
    log(dt.datetime(2026, 3, 2, 15, 0, tzinfo=utc), review, 90)
    log(dt.datetime(2026, 3, 20, 15, 0, tzinfo=utc), review, 30)
    log(dt.datetime(2026, 3, 21, 15, 0, tzinfo=utc), tuning, 45)
    log(dt.datetime(2026, 3, 22, 15, 0, tzinfo=utc), incident, 120)  # not billable
    log(dt.datetime(2026, 4, 1, 2, 0, tzinfo=utc), tuning, 15)  # 22:00 on March 31 in New York
    log(dt.datetime(2026, 4, 1, 5, 0, tzinfo=utc), tuning, 300)  # April 1 in New York
    return review, tuning


def billing_url(organization) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/organizations/{organization.pk}/billing/"


@pytest.mark.parametrize("who", ["alice", "engineer"])
def test_the_statement_counts_only_that_months_billable_work(api, request, who, acme, march_work):
    review, tuning = march_work

    response = api(request.getfixturevalue(who)).get(billing_url(acme), {"month": "2026-03"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "organization": {"id": acme.pk, "name": "Acme", "customer_number": "ACME-1"},
        "month": "2026-03",
        "cases": [
            {
                "number": review.number,
                "title": "Architecture review",
                "request_type": "consultation",
                "billable_minutes": 120,
                "hours": 2.0,
            },
            {
                "number": tuning.number,
                "title": "=HYPERLINK(evil)",
                "request_type": "consultation",
                "billable_minutes": 60,
                "hours": 1.0,
            },
        ],
        "total_minutes": 180,
        "total_hours": 3.0,
    }


def test_a_month_without_billable_work_is_an_empty_statement(api, alice, acme, march_work):
    body = api(alice).get(billing_url(acme), {"month": "2025-12"}).json()

    assert (body["cases"], body["total_minutes"], body["total_hours"]) == ([], 0, 0)


@pytest.mark.parametrize("ask", ["accept-header", "format-parameter"])
def test_the_statement_comes_as_csv_with_a_header_row(api, alice, acme, march_work, ask):
    review, tuning = march_work

    if ask == "accept-header":
        response = api(alice).get(billing_url(acme), {"month": "2026-03"}, HTTP_ACCEPT="text/csv")
    else:  # the download link of the browser's billing page
        response = api(alice).get(billing_url(acme), {"month": "2026-03", "format": "csv"})

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == ["number", "title", "request_type", "billable_minutes", "hours"]
    assert rows[1] == [review.number, "Architecture review", "consultation", "120", "2.0"]
    assert rows[2][0] == tuning.number
    assert not rows[2][1].startswith("="), "a title must not become a spreadsheet formula"


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "26-03", "abc", "2026-03-01", "", None])
def test_a_bad_month_is_refused_naming_it(api, alice, acme, month):
    params = {} if month is None else {"month": month}

    response = api(alice).get(billing_url(acme), params)

    assert response.status_code == 400
    assert "month" in response.json()


def test_another_organizations_customer_learns_nothing(api, oscar, acme, march_work):
    response = api(oscar).get(billing_url(acme), {"month": "2026-03"})
    missing = api(oscar).get("/api/v1/organizations/987654/billing/", {"month": "2026-03"})

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert "Acme" not in response.content.decode()


def test_another_organizations_customer_gets_no_csv_either(api, oscar, acme, march_work):
    response = api(oscar).get(billing_url(acme), {"month": "2026-03"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 404
    assert "Architecture review" not in response.content.decode()


def test_the_billing_pages_csv_link_downloads_the_statement(client, alice, acme, march_work):
    """The browser page links to the API's CSV; the session that shows the page downloads it."""
    client.force_login(alice)
    page = client.get(f"/organizations/{acme.pk}/billing/", {"month": "2026-03"})
    assert page.status_code == 200
    [link] = [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"]+)"', page.content.decode())
        if href.startswith(billing_url(acme))
    ]

    response = client.get(link)

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8").splitlines()[0] == "number,title,request_type,billable_minutes,hours"


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_a_bad_month_is_explained_in_json_whatever_was_asked(api, alice, acme, accept):
    response = api(alice).get(billing_url(acme), {"month": "2026-13"}, HTTP_ACCEPT=accept)

    assert response.status_code == 400
    assert "month" in response.json()
