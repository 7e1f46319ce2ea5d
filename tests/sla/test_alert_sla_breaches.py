"""SLA breach alerts (cases.services.sla_alerts.alert_sla_breaches): when a case passes
its SLA due time, the assigned engineer's manager is e-mailed, once per breach."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import Case
from cases.services.sla_alerts import alert_sla_breaches, breached_unalerted
from cases.tasks import alert_sla_breaches_task
from notifications.models import OutboxEmail
from tests.factories import CaseFactory
from tests.sla.conftest import ny

WEDNESDAY_3PM = ny(2026, 12, 2, 15, 0)
FIRST_RESPONSE_DUE = ny(2026, 12, 3, 10, 0)  # high: 240 business minutes later


def breach_mails() -> list[tuple[str, str]]:
    return list(OutboxEmail.objects.filter(template="sla_breach").order_by("id").values_list("to", "subject"))


@pytest.fixture
def assigned_case(log_case, call, engineer):  # type: ignore[no-untyped-def]
    """A high case of Acme logged Wednesday 15:00 and assigned to Erin (Max's report)."""
    case = log_case(WEDNESDAY_3PM, severity="high")
    response = call(engineer, "post", f"cases/{case.number}/assign/", {"assignee": engineer.pk}, when=WEDNESDAY_3PM)
    assert response.status_code == 200, response.json()
    return case


@pytest.fixture
def make_closed_case(acme, alice, engineer):  # type: ignore[no-untyped-def]
    def build(**fields) -> Case:  # type: ignore[no-untyped-def]
        return CaseFactory(
            organization=acme,
            requester=alice,
            assignee=engineer,
            status="closed",
            close_reason="confirmed",
            closed_at=ny(2026, 12, 1, 12, 0),
            **fields,
        )

    return build


@pytest.fixture
def alert_at(at):  # type: ignore[no-untyped-def]
    """``alert_at(when)``: the alert job runs at ``when``."""

    def run(when: dt.datetime) -> int:
        with at(when):
            return alert_sla_breaches(now=when)

    return run


def test_a_case_past_its_due_time_is_reported_to_the_engineers_manager_once(assigned_case, alert_at, manager):
    # Given a case whose first response was due Thursday 10:00 and nobody answered
    # When the alert job runs at 10:01, and again at 10:06
    alert_at(FIRST_RESPONSE_DUE + dt.timedelta(minutes=1))
    alert_at(FIRST_RESPONSE_DUE + dt.timedelta(minutes=6))

    # Then Max, Erin's manager, got one e-mail naming the case
    assert breach_mails() == [(manager.email, f"[{assigned_case.number}] SLA breached (High)")]
    body = OutboxEmail.objects.get(template="sla_breach").body_text
    assert "no first response" in body
    assert "Erin Engineer" in body


def test_a_case_not_yet_due_is_not_reported(assigned_case, alert_at):
    alert_at(FIRST_RESPONSE_DUE - dt.timedelta(minutes=1))
    alert_at(FIRST_RESPONSE_DUE)

    assert breach_mails() == []


def test_the_scheduled_task_reports_the_same_breach_once(assigned_case, at, manager):
    with at(FIRST_RESPONSE_DUE + dt.timedelta(minutes=1)):
        alert_sla_breaches_task()
        alert_sla_breaches_task()

    assert breach_mails() == [(manager.email, f"[{assigned_case.number}] SLA breached (High)")]


def test_a_new_breach_after_a_staff_reply_is_reported_again(assigned_case, alert_at, call, engineer, manager):
    # Given the first-response breach was reported Thursday 10:01
    alert_at(FIRST_RESPONSE_DUE + dt.timedelta(minutes=1))

    # When Erin answers at 10:30 (next update due Friday 09:30) and nobody writes again
    call(engineer, "post", f"cases/{assigned_case.number}/messages/", {"body": "On it."}, when=ny(2026, 12, 3, 10, 30))
    alert_at(ny(2026, 12, 3, 11, 0))
    alert_at(ny(2026, 12, 4, 9, 29))
    alert_at(ny(2026, 12, 4, 9, 31))
    alert_at(ny(2026, 12, 4, 9, 45))

    # Then the new breach is reported once more, as an overdue update
    subject = f"[{assigned_case.number}] SLA breached (High)"
    assert breach_mails() == [(manager.email, subject), (manager.email, subject)]
    latest = OutboxEmail.objects.filter(template="sla_breach").order_by("-id").first()
    assert latest is not None and "overdue for its next update" in latest.body_text


def test_a_reply_before_the_due_time_means_no_alert(assigned_case, alert_at, call, engineer):
    call(engineer, "post", f"cases/{assigned_case.number}/messages/", {"body": "On it."}, when=ny(2026, 12, 3, 9, 30))

    alert_at(FIRST_RESPONSE_DUE + dt.timedelta(minutes=1))

    assert breach_mails() == []


def test_a_closed_case_is_never_reported(assigned_case, act, alice, alert_at, make_closed_case):
    # Given Alice withdrew her case before anyone answered, and an old closed case
    # still carries a due time in the past
    act(assigned_case, "withdraw", ny(2026, 12, 2, 15, 10), by=alice, reason="Found it: a full disk.")
    make_closed_case(sla_due_at=ny(2026, 12, 1, 9, 0))

    # When the alert job runs days later
    alert_at(ny(2026, 12, 10, 12, 0))

    # Then nobody is e-mailed
    assert breach_mails() == []


def test_a_case_waiting_on_the_customer_is_not_reported(assigned_case, act, alert_at):
    act(assigned_case, "request-info", ny(2026, 12, 2, 16, 0), body="Which kernel version do you run?")

    alert_at(ny(2026, 12, 10, 12, 0))

    assert breach_mails() == []


def test_breached_cases_are_taken_most_overdue_first(acme, alice, engineer, make_closed_case):
    # The "SLA at risk" order: the earliest due time first, whatever the case number
    def case_due(when: dt.datetime) -> Case:
        return CaseFactory(organization=acme, requester=alice, assignee=engineer, status="open", sla_due_at=when)

    later = case_due(ny(2026, 12, 3, 12, 0))
    earliest = case_due(ny(2026, 12, 2, 10, 0))
    middle = case_due(ny(2026, 12, 3, 9, 0))
    case_due(ny(2026, 12, 4, 12, 0))  # not yet due
    make_closed_case(sla_due_at=ny(2026, 12, 1, 9, 0))

    breached = list(breached_unalerted(ny(2026, 12, 3, 13, 0)))

    assert breached == [earliest, middle, later]
