"""A case's SLA due times (``due`` on GET /api/v1/cases/{number}/): from the plan and
severity target, counted in the business time of the organization's calendar.

Acme is on the enterprise plan in New York, 09:00–18:00. Its default targets (business
minutes): high 240 / 480, critical 120 / 240; Enterprise Down 60 / 120 around the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accounts.models import Plan
from sla.models import ClockKind, SlaTarget
from tests.factories import CustomerFactory, OrganizationFactory
from tests.sla.conftest import ny

WEDNESDAY_3PM = ny(2026, 12, 2, 15, 0)
SEOUL = ZoneInfo("Asia/Seoul")


def test_a_new_case_is_due_in_business_hours_of_its_plan_and_severity(log_case, due_of):
    # Given Acme (enterprise, New York, 09:00–18:00)
    # When Alice logs a high case on Wednesday at 15:00
    case = log_case(WEDNESDAY_3PM, severity="high")

    # Then the first response (240 business minutes) is due Thursday 10:00
    # and the next update (480) Thursday 14:00: the evening does not count
    assert due_of(case, WEDNESDAY_3PM) == {
        "first_response": ny(2026, 12, 3, 10, 0),
        "next_update": ny(2026, 12, 3, 14, 0),
    }


def test_a_case_logged_on_friday_evening_is_due_on_monday(log_case, due_of):
    friday_evening = ny(2026, 12, 4, 19, 30)

    case = log_case(friday_evening, severity="critical")

    assert due_of(case, friday_evening) == {
        "first_response": ny(2026, 12, 7, 11, 0),
        "next_update": ny(2026, 12, 7, 13, 0),
    }


def test_a_configured_target_replaces_the_default(log_case, due_of):
    # Given the admin configured 30 / 90 minutes for enterprise high cases
    SlaTarget.objects.update_or_create(
        plan="enterprise",
        severity="high",
        defaults={"first_response_minutes": 30, "next_update_minutes": 90, "clock": ClockKind.BUSINESS},
    )

    # When Alice logs a high case on Wednesday at 15:00
    case = log_case(WEDNESDAY_3PM, severity="high")

    # Then those targets apply
    assert due_of(case, WEDNESDAY_3PM) == {
        "first_response": ny(2026, 12, 2, 15, 30),
        "next_update": ny(2026, 12, 2, 16, 30),
    }


def test_a_case_is_due_in_its_organizations_country_and_timezone(db, call):
    # Given a basic-plan customer in Seoul (high: 1080 / 2160 business minutes)
    korea = OrganizationFactory(
        name="Hanbit", customer_number="KR-1", plan=Plan.BASIC, country="KR", timezone="Asia/Seoul"
    )
    minji = CustomerFactory(email="minji@hanbit.example", organization=korea)
    wednesday_5pm = dt.datetime(2026, 9, 23, 17, 0, tzinfo=SEOUL)

    # When she logs a high case on Wednesday 17:00, the eve of Chuseok (Thu–Sat)
    response = call(
        minji,
        "post",
        "cases/",
        {"title": "Login fails", "description": "Since this morning.", "severity": "high", "request_type": "incident"},
        when=wednesday_5pm,
    )

    # Then one hour counts on Wednesday, none over Chuseok and the weekend, then Monday
    # and Tuesday in Seoul's business hours
    assert response.status_code == 201, response.json()
    due = response.json()["due"]
    assert dt.datetime.fromisoformat(due["first_response"]) == dt.datetime(2026, 9, 29, 17, 0, tzinfo=SEOUL)


def test_a_staff_reply_records_the_first_response_and_pushes_the_next_update(log_case, call, engineer, due_of):
    # Given a high case logged Wednesday 15:00 (next update due Thursday 14:00)
    case = log_case(WEDNESDAY_3PM, severity="high")

    # When Erin answers publicly at 16:00
    response = call(
        engineer, "post", f"cases/{case.number}/messages/", {"body": "Looking at it."}, when=ny(2026, 12, 2, 16, 0)
    )

    # Then the next update is due 480 business minutes after her reply: Thursday 15:00
    assert response.status_code == 201, response.json()
    assert due_of(case, ny(2026, 12, 2, 16, 0))["next_update"] == ny(2026, 12, 3, 15, 0)
    case.refresh_from_db()
    assert case.first_response_at == ny(2026, 12, 2, 16, 0)
    assert case.status == "open"


def test_an_internal_note_is_not_a_response(log_case, call, engineer, due_of):
    case = log_case(WEDNESDAY_3PM, severity="high")

    call(
        engineer,
        "post",
        f"cases/{case.number}/messages/",
        {"body": "Probably the 7.2 backup bug.", "internal": True},
        when=ny(2026, 12, 2, 16, 0),
    )

    assert due_of(case, ny(2026, 12, 2, 16, 0)) == {
        "first_response": ny(2026, 12, 3, 10, 0),
        "next_update": ny(2026, 12, 3, 14, 0),
    }


def test_a_severity_change_recomputes_the_due_times(log_case, call, alice, due_of):
    # Given a high case logged Wednesday 15:00
    case = log_case(WEDNESDAY_3PM, severity="high")

    # When Alice raises it to critical at 15:30
    response = call(
        alice,
        "post",
        f"cases/{case.number}/severity/",
        {"severity": "critical", "reason": "Now the whole team is blocked."},
        when=ny(2026, 12, 2, 15, 30),
    )

    # Then critical's targets (120 / 240) count from when the case was logged
    assert response.status_code == 200, response.json()
    assert due_of(case, ny(2026, 12, 2, 15, 30)) == {
        "first_response": ny(2026, 12, 2, 17, 0),
        "next_update": ny(2026, 12, 3, 10, 0),
    }


def test_enterprise_down_runs_the_clock_around_the_clock(log_case, call, alice, acme, due_of, edown_body):
    # Given Acme (enterprise, in production, under maintenance) and a critical case
    # logged on Saturday at 22:00, due on Monday in business hours
    acme.maintenance_until = dt.date(2027, 12, 31)
    acme.save()
    saturday_night = ny(2026, 12, 5, 22, 0)
    case = log_case(saturday_night, severity="critical")
    assert due_of(case, saturday_night)["first_response"] == ny(2026, 12, 7, 11, 0)

    # When Alice declares Enterprise Down
    response = call(
        alice,
        "post",
        f"cases/{case.number}/edown/",
        edown_body(down_since=saturday_night - dt.timedelta(hours=1)),
        when=saturday_night,
    )

    # Then the first response is due 60 minutes later, that Saturday night, and the
    # next update 120 minutes later, past midnight
    assert response.status_code in (200, 201), response.json()
    assert due_of(case, saturday_night) == {
        "first_response": ny(2026, 12, 5, 23, 0),
        "next_update": ny(2026, 12, 6, 0, 0),
    }


def test_a_case_waiting_on_the_customer_has_no_next_update_due(log_case, act, due_of):
    case = log_case(WEDNESDAY_3PM, severity="high")

    act(case, "request-info", ny(2026, 12, 2, 16, 0), body="Which kernel version do you run?")

    due = due_of(case, ny(2026, 12, 2, 16, 0))
    assert due["next_update"] is None


def test_the_customers_answer_starts_the_next_update_clock_again(log_case, act, call, alice, due_of):
    # Given Erin asked for information Wednesday 16:00
    case = log_case(WEDNESDAY_3PM, severity="high")
    act(case, "request-info", ny(2026, 12, 2, 16, 0), body="Which kernel version do you run?")

    # When Alice answers Thursday 09:00
    call(alice, "post", f"cases/{case.number}/messages/", {"body": "5.15"}, when=ny(2026, 12, 3, 9, 0))

    # Then an update is due again, counted from Erin's last reply
    assert due_of(case, ny(2026, 12, 3, 9, 0))["next_update"] == ny(2026, 12, 3, 15, 0)


def test_a_closed_case_has_nothing_due(log_case, act, alice, due_of):
    case = log_case(WEDNESDAY_3PM, severity="high")
    act(case, "propose-solution", ny(2026, 12, 2, 16, 0), body="Raise max_connections to 200.")

    act(case, "confirm", ny(2026, 12, 2, 17, 0), by=alice)

    assert due_of(case, ny(2026, 12, 2, 17, 0)) == {"first_response": None, "next_update": None}


def test_a_case_withdrawn_before_any_answer_has_nothing_due(log_case, act, alice, due_of):
    case = log_case(WEDNESDAY_3PM, severity="high")

    act(case, "withdraw", ny(2026, 12, 2, 15, 10), by=alice, reason="Found it: a full disk.")

    assert due_of(case, ny(2026, 12, 2, 15, 10)) == {"first_response": None, "next_update": None}
