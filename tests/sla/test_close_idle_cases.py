"""Automatic closing (API.md "Automatic closing"): a case waiting for the customer closes
after 5 business days without a word from them; the requester is reminded one business
day before and told when it closes.

The contract's example: Acme (``US`` / ``America/New_York``), solution proposed
Wednesday 2026-12-23 10:00 → closes Thursday 2026-12-31 10:00 (24th, 28th, 29th, 30th,
31st; the 25th is a holiday), reminder Wednesday 2026-12-30 10:00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases.models import Case, CaseEvent, parse_case_number
from cases.services.auto_close import close_idle_cases
from cases.tasks import close_idle_cases_task
from notifications.models import OutboxEmail
from notifications.services import render_deferred
from tests.factories import CustomerFactory, OrganizationFactory
from tests.sla.conftest import UTC, ny

LOGGED = ny(2026, 12, 22, 9, 30)
PROPOSED = ny(2026, 12, 23, 10, 0)
REMINDER = ny(2026, 12, 30, 10, 0)
DEADLINE = ny(2026, 12, 31, 10, 0)
ONE_MINUTE = dt.timedelta(minutes=1)


def mails(template: str) -> list[tuple[str, str]]:
    """What the people are sent: closing mails are queued by ids and rendered by the
    worker that delivers them, as here."""
    for row in OutboxEmail.objects.exclude(context_loader=""):
        render_deferred(row)
    return list(OutboxEmail.objects.filter(template=template).order_by("id").values_list("to", "subject"))


@pytest.fixture
def waiting_case(log_case, act):  # type: ignore[no-untyped-def]
    """Acme's case on which Erin proposed a solution at the contract's instant."""
    case = log_case(LOGGED)
    act(case, "propose-solution", PROPOSED, body="Raise max_connections to 200.")
    return case


@pytest.mark.parametrize(
    ("action", "status"),
    [("propose-solution", "solution_proposed"), ("request-info", "waiting_on_customer")],
)
def test_the_contracts_example_reminds_then_closes_on_new_years_eve(
    log_case, act, close_idle, case_json, alice, action, status
):
    # Given Erin proposed a solution (or asked for information) Wed 2026-12-23 10:00
    case = log_case(LOGGED)
    act(case, action, PROPOSED, body="Raise max_connections to 200.")

    # When the job runs just before the reminder is due, nothing happens
    close_idle(REMINDER - ONE_MINUTE)
    assert mails("auto_close_reminder") == []

    # At Wed 30th 10:00, one business day before, Alice is reminded
    close_idle(REMINDER)
    assert mails("auto_close_reminder") == [
        (alice.email, f"[{case.number}] Reminder: this case closes tomorrow without your answer: {case.title}")
    ]

    # At Thu 31st 09:59 the case still waits for her, reminded once
    close_idle(DEADLINE - ONE_MINUTE)
    json = case_json(case, DEADLINE - ONE_MINUTE)
    assert (json["status"], json["close_reason"], json["closed_at"]) == (status, "", None)
    assert len(mails("auto_close_reminder")) == 1
    assert mails("case_closed") == []

    # At Thu 31st 10:00 it closes, and Alice gets one e-mail saying why
    output = close_idle(DEADLINE)
    assert f"close {case.number}" in output
    json = case_json(case, DEADLINE)
    assert (json["status"], json["close_reason"]) == ("closed", "auto_closed")
    assert dt.datetime.fromisoformat(json["closed_at"]) == DEADLINE
    assert mails("case_closed") == [(alice.email, f"[{case.number}] Case closed: {case.title}")]
    assert "no answer from you for 5 business days" in OutboxEmail.objects.get(template="case_closed").body_text
    assert len(mails("auto_close_reminder")) == 1


def test_a_status_entered_on_a_saturday_closes_the_following_friday(log_case, act, close_idle, case_json):
    # Given Erin proposed a solution on Saturday 2026-12-05 at 10:00 New York time
    case = log_case(ny(2026, 12, 4, 16, 0))
    act(case, "propose-solution", ny(2026, 12, 5, 10, 0), body="Raise max_connections to 200.")

    # Then it still waits on Friday at 09:59 and closes at 10:00
    close_idle(ny(2026, 12, 11, 9, 59))
    assert case_json(case, ny(2026, 12, 11, 9, 59))["status"] == "solution_proposed"
    close_idle(ny(2026, 12, 11, 10, 0))
    assert case_json(case, ny(2026, 12, 11, 10, 0))["close_reason"] == "auto_closed"


def test_the_deadline_follows_the_organizations_country_and_timezone(call, act, close_idle):
    # Given Lumière in Paris (14 July is a holiday in France) and a solution proposed
    # Monday 2026-07-13 at 10:00 Paris time
    paris = ZoneInfo("Europe/Paris")
    lumiere = OrganizationFactory(name="Lumière", customer_number="FR-1", country="FR", timezone="Europe/Paris")
    claire = CustomerFactory(email="claire@lumiere.example", organization=lumiere)
    response = call(
        claire,
        "post",
        "cases/",
        {
            "title": "Export fails",
            "description": "CSV export times out.",
            "severity": "low",
            "request_type": "incident",
        },
        when=dt.datetime(2026, 7, 10, 11, 0, tzinfo=paris),
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=parse_case_number(response.json()["number"]))
    act(case, "propose-solution", dt.datetime(2026, 7, 13, 10, 0, tzinfo=paris), body="Use the streaming export.")

    # Then it closes on the 5th business day in France: 15th, 16th, 17th, 20th, 21st
    close_idle(dt.datetime(2026, 7, 21, 9, 59, tzinfo=paris))
    assert Case.objects.get(pk=case.pk).status == "solution_proposed"
    close_idle(dt.datetime(2026, 7, 21, 10, 0, tzinfo=paris))
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_a_deadline_in_a_daylight_saving_gap_closes_at_the_first_time_that_exists(call, act, close_idle):
    # Given an organization in Israel, where clocks jump from 02:00 to 03:00 on
    # Friday 2026-03-27, and a solution proposed on Friday 2026-03-20 at 02:30
    jerusalem = ZoneInfo("Asia/Jerusalem")
    hadar = OrganizationFactory(name="Hadar", customer_number="IL-1", country="IL", timezone="Asia/Jerusalem")
    noa = CustomerFactory(email="noa@hadar.example", organization=hadar)
    response = call(
        noa,
        "post",
        "cases/",
        {"title": "VPN drops", "description": "Every night.", "severity": "low", "request_type": "incident"},
        when=dt.datetime(2026, 3, 19, 23, 0, tzinfo=jerusalem),
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=parse_case_number(response.json()["number"]))
    act(case, "propose-solution", dt.datetime(2026, 3, 20, 2, 30, tzinfo=jerusalem), body="Raise the keepalive.")

    # Then 02:30 on Friday the 27th does not exist: the case closes at 03:00 (00:00 UTC)
    close_idle(dt.datetime(2026, 3, 26, 23, 59, tzinfo=UTC))
    assert Case.objects.get(pk=case.pk).status == "solution_proposed"
    close_idle(dt.datetime(2026, 3, 27, 0, 0, tzinfo=UTC))
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_a_staff_follow_up_does_not_move_the_deadline(waiting_case, act, close_idle, case_json):
    # Given Erin adds a note for Alice on Monday 28th, still waiting for her
    act(waiting_case, "messages", ny(2026, 12, 28, 11, 0), body="Did the change help?")

    # Then the case closes at the contract's deadline all the same
    close_idle(DEADLINE)
    assert case_json(waiting_case, DEADLINE)["status"] == "closed"


def test_a_customer_message_before_the_deadline_stops_the_clock(waiting_case, call, alice, close_idle, case_json):
    # Given the solution proposed Wed 23rd 10:00, and Alice answering Tue 29th at noon
    response = call(
        alice,
        "post",
        f"cases/{waiting_case.number}/messages/",
        {"body": "It still fails with 200 connections."},
        when=ny(2026, 12, 29, 12, 0),
    )
    assert response.status_code == 201, response.json()
    assert case_json(waiting_case, ny(2026, 12, 29, 12, 0))["status"] == "open"

    # When the job runs at the reminder time and at the old deadline
    close_idle(REMINDER)
    close_idle(DEADLINE)

    # Then the case stays open, and Alice gets neither a reminder nor a closing e-mail
    assert case_json(waiting_case, DEADLINE)["status"] == "open"
    assert mails("auto_close_reminder") == []
    assert mails("case_closed") == []


def test_proposing_again_starts_a_new_five_day_clock(waiting_case, call, alice, act, close_idle, case_json):
    # Given Alice answered Tue 29th at noon and Erin proposed again at 14:00
    call(
        alice, "post", f"cases/{waiting_case.number}/messages/", {"body": "Still fails."}, when=ny(2026, 12, 29, 12, 0)
    )
    act(waiting_case, "propose-solution", ny(2026, 12, 29, 14, 0), body="Then raise the pool size too.")

    # When the job runs at the first proposal's deadline, nothing closes
    close_idle(DEADLINE)
    assert case_json(waiting_case, DEADLINE)["status"] == "solution_proposed"

    # The new deadline: 30th, 31st, (New Year's Day, weekend) Jan 4th, 5th, 6th at 14:00
    close_idle(ny(2027, 1, 6, 13, 59))
    assert case_json(waiting_case, ny(2027, 1, 6, 13, 59))["status"] == "solution_proposed"
    assert len(mails("auto_close_reminder")) == 1  # reminded Tue Jan 5th, for the new clock

    close_idle(ny(2027, 1, 6, 14, 0))
    json = case_json(waiting_case, ny(2027, 1, 6, 14, 0))
    assert (json["status"], json["close_reason"]) == ("closed", "auto_closed")
    assert dt.datetime.fromisoformat(json["closed_at"]) == ny(2027, 1, 6, 14, 0)
    assert len(mails("case_closed")) == 1


def test_running_twice_closes_once_and_sends_each_mail_once(waiting_case, close_idle):
    close_idle(REMINDER)
    close_idle(REMINDER)
    close_idle(REMINDER + dt.timedelta(hours=1))
    first = close_idle(DEADLINE)
    second = close_idle(DEADLINE)
    close_idle(DEADLINE + dt.timedelta(hours=1))

    assert f"close {waiting_case.number}" in first
    assert waiting_case.number not in second
    assert len(mails("auto_close_reminder")) == 1
    assert len(mails("case_closed")) == 1
    closings = CaseEvent.objects.filter(case=waiting_case, kind="status", after="closed")
    assert closings.count() == 1


def test_the_service_run_twice_at_the_same_instant_closes_once(waiting_case, at):
    with at(DEADLINE):
        first = close_idle_cases(as_of=DEADLINE)
        second = close_idle_cases(as_of=DEADLINE)

    assert (first.closed, second.closed) == ([waiting_case.number], [])
    assert len(mails("case_closed")) == 1


def test_the_scheduled_task_closes_like_the_command(waiting_case, at, case_json, alice):
    # Given the hourly task runs at 10:05 on the 31st (the scheduler's minute)
    with at(DEADLINE + dt.timedelta(minutes=5)):
        closed = close_idle_cases_task()
        again = close_idle_cases_task()

    # Then it closed the case once, as the command does
    assert (closed, again) == (1, 0)
    json = case_json(waiting_case, DEADLINE + dt.timedelta(minutes=5))
    assert (json["status"], json["close_reason"]) == ("closed", "auto_closed")
    assert mails("case_closed") == [(alice.email, f"[{waiting_case.number}] Case closed: {waiting_case.title}")]


def test_the_scheduled_task_does_nothing_before_the_deadline(waiting_case, at):
    with at(DEADLINE - ONE_MINUTE):
        assert close_idle_cases_task() == 0

    waiting_case.refresh_from_db()
    assert waiting_case.status == "solution_proposed"


def test_the_audit_trail_shows_the_system_closed_the_case(waiting_case, close_idle, call, alice):
    close_idle(DEADLINE)

    response = call(alice, "get", f"cases/{waiting_case.number}/events/", when=DEADLINE)

    assert response.status_code == 200, response.json()
    events = response.json()["results"] if isinstance(response.json(), dict) else response.json()
    [closing] = [e for e in events if e["kind"] == "status" and e["after"] == "closed"]
    assert closing["channel"] == "system"
    assert closing["actor"] is None
    assert closing["before"] == "solution_proposed"
    assert dt.datetime.fromisoformat(closing["created_at"]) == DEADLINE


def test_a_case_that_is_not_waiting_for_the_customer_never_closes(log_case, act, close_idle):
    # An open case with Erin's reply, untouched for weeks
    case = log_case(LOGGED)
    act(case, "messages", PROPOSED, body="Looking into it.")

    close_idle(ny(2027, 2, 1, 10, 0))

    case.refresh_from_db()
    assert case.status == "open"
    assert mails("case_closed") == []


def test_a_closed_case_can_be_reopened_after_an_automatic_close(waiting_case, close_idle, call, alice):
    close_idle(DEADLINE)

    response = call(
        alice, "post", f"cases/{waiting_case.number}/reopen/", {"reason": "It fails again."}, when=ny(2027, 1, 4, 9, 0)
    )

    assert response.status_code == 200, response.json()
    assert Case.objects.get(pk=waiting_case.pk).status == "open"
