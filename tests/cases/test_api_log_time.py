"""POST /cases/{number}/time/: work logged on a case, and what is billed."""

from __future__ import annotations

import pytest

from cases.models import TimeEntry


def log_time(api, user, case, body):  # type: ignore[no-untyped-def]
    return api(user).post(f"/api/v1/cases/{case.number}/time/", body, format="json")


@pytest.mark.parametrize("minutes", [0, -15, "abc", None, 1441, 2.5])
def test_minutes_must_be_a_positive_whole_number_within_a_day(api, engineer, acme_case, minutes):
    response = log_time(api, engineer, acme_case, {"minutes": minutes})

    assert response.status_code == 400
    assert "minutes" in response.json()
    assert not TimeEntry.objects.exists()
    acme_case.refresh_from_db()
    assert acme_case.spent_minutes == 0


def test_consultation_time_is_billable_by_default(api, engineer, make_case):
    case = make_case(request_type="consultation", status="open")

    response = log_time(api, engineer, case, {"minutes": 90, "note": "Architecture review"})

    assert response.status_code == 201, response.json()
    assert response.json()["billable"] is True
    assert response.json()["minutes"] == 90
    detail = api(engineer).get(f"/api/v1/cases/{case.number}/").json()
    assert detail["billable_minutes"] == 90
    assert detail["hours_spent"] == 1.5


def test_incident_time_is_not_billable_by_default(api, engineer, acme_case):
    response = log_time(api, engineer, acme_case, {"minutes": 30})

    assert response.status_code == 201, response.json()
    assert response.json()["billable"] is False
    detail = api(engineer).get(f"/api/v1/cases/{acme_case.number}/").json()
    assert detail["billable_minutes"] == 0
    assert detail["hours_spent"] == 0.5


def test_the_engineer_can_say_otherwise(api, engineer, make_case, acme_case):
    consultation = make_case(request_type="consultation", status="open")

    log_time(api, engineer, consultation, {"minutes": 20, "billable": False})
    log_time(api, engineer, acme_case, {"minutes": 40, "billable": True})

    assert api(engineer).get(f"/api/v1/cases/{consultation.number}/").json()["billable_minutes"] == 0
    assert api(engineer).get(f"/api/v1/cases/{acme_case.number}/").json()["billable_minutes"] == 40


def test_time_adds_up_and_the_customer_sees_the_totals(api, engineer, alice, make_case):
    case = make_case(request_type="consultation", status="open")

    log_time(api, engineer, case, {"minutes": 45})
    log_time(api, engineer, case, {"minutes": 45, "billable": False})

    detail = api(alice).get(f"/api/v1/cases/{case.number}/").json()
    assert detail["billable_minutes"] == 45
    assert detail["hours_spent"] == 1.5


def test_staff_list_the_time_entries(api, engineer, acme_case):
    log_time(api, engineer, acme_case, {"minutes": 30, "note": "Read the logs"})

    response = api(engineer).get(f"/api/v1/cases/{acme_case.number}/time/")

    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert (entry["case"], entry["minutes"], entry["note"]) == (acme_case.number, 30, "Read the logs")
    assert entry["engineer"]["id"] == engineer.pk
