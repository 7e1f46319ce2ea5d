"""Bulk assign from the dashboard: the selected cases go to one engineer, all or nothing."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Status

BULK_URL = "/staff/bulk-assign/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_bulk_assign_assigns_the_selected_cases_and_keeps_the_filters(browser_for, manager, engineer, make_case):
    first, second, untouched = make_case(status=Status.OPEN), make_case(status=Status.NEW), make_case()
    client = browser_for(manager)

    response = client.post(
        BULK_URL,
        {
            "cases": [first.number, second.number],
            "assignee": engineer.pk,
            "next": "/staff/?queue=unassigned&severity=medium",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/?queue=unassigned&severity=medium"
    for case in (first, second, untouched):
        case.refresh_from_db()
    assert (first.assignee, second.assignee, untouched.assignee) == (engineer, engineer, None)
    assert "2 cases assigned to Erin Engineer." in text(client.get(response["Location"]))


def test_nothing_selected_is_shown_on_the_dashboard(browser_for, engineer, acme_case):
    response = browser_for(engineer).post(BULK_URL, {"assignee": engineer.pk, "next": "/staff/?queue=all"})

    assert response.status_code == 400
    body = text(response)
    assert "Select at least one case." in body
    assert acme_case.title in body  # the dashboard, with the queue it came from


def test_a_closed_case_in_the_selection_assigns_nothing(browser_for, engineer, make_case):
    open_case = make_case(status=Status.OPEN)
    closed = make_case(status=Status.CLOSED)

    response = browser_for(engineer).post(
        BULK_URL, {"cases": [open_case.number, closed.number], "assignee": engineer.pk}
    )

    assert response.status_code == 409
    assert "This case is closed. Reopen it before assigning it." in text(response)
    open_case.refresh_from_db()
    assert open_case.assignee is None


def test_operators_may_not_bulk_assign(browser_for, operator, engineer, acme_case):
    response = browser_for(operator).post(BULK_URL, {"cases": [acme_case.number], "assignee": engineer.pk})

    assert response.status_code == 403
    acme_case.refresh_from_db()
    assert acme_case.assignee is None


def test_it_never_redirects_away_from_the_dashboard(browser_for, engineer, acme_case):
    response = browser_for(engineer).post(
        BULK_URL, {"cases": [acme_case.number], "assignee": engineer.pk, "next": "https://evil.example/staff/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:dashboard")


def test_an_unknown_case_number_is_not_found(browser_for, engineer, acme_case):
    response = browser_for(engineer).post(BULK_URL, {"cases": [acme_case.number, "C-999999"], "assignee": engineer.pk})

    assert response.status_code == 404
    acme_case.refresh_from_db()
    assert acme_case.assignee is None
