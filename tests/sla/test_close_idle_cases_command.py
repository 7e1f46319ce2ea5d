"""``python manage.py close_idle_cases [--as-of ISO-8601] [--dry-run]`` (API.md): acts as
if the time were the ``--as-of`` instant; ``--dry-run`` lists and changes nothing; a
time it cannot read is refused before anything happens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case, CaseEvent
from notifications.models import OutboxEmail
from tests.sla.conftest import ny

PROPOSED = ny(2026, 12, 23, 10, 0)
REMINDER = ny(2026, 12, 30, 10, 0)
DEADLINE = ny(2026, 12, 31, 10, 0)


@pytest.fixture
def waiting_case(log_case, act):  # type: ignore[no-untyped-def]
    case = log_case(ny(2026, 12, 22, 9, 30))
    act(case, "propose-solution", PROPOSED, body="Raise max_connections to 200.")
    return case


def picture(case: Case) -> dict[str, object]:
    """Everything a run that must change nothing could have changed."""
    fresh = Case.objects.get(pk=case.pk)
    return {
        "status": fresh.status,
        "close_reason": fresh.close_reason,
        "closed_at": fresh.closed_at,
        "updated_at": fresh.updated_at,
        "events": CaseEvent.objects.filter(case=fresh).count(),
        "emails": list(OutboxEmail.objects.values_list("id", flat=True)),
    }


def test_a_dry_run_lists_the_case_it_would_close_and_changes_nothing(waiting_case, close_idle):
    before = picture(waiting_case)

    output = close_idle(DEADLINE, "--dry-run")

    assert f"would close {waiting_case.number}" in output
    assert picture(waiting_case) == before


def test_a_dry_run_lists_the_reminder_it_would_send_and_sends_nothing(waiting_case, close_idle):
    before = picture(waiting_case)

    output = close_idle(REMINDER, "--dry-run")

    assert f"would remind {waiting_case.number}" in output
    assert picture(waiting_case) == before
    # and the real run afterwards still reminds
    assert f"remind {waiting_case.number}" in close_idle(REMINDER)
    assert OutboxEmail.objects.filter(template="auto_close_reminder").count() == 1


def test_a_dry_run_before_the_deadline_lists_nothing_to_close(waiting_case, close_idle):
    output = close_idle(DEADLINE - dt.timedelta(minutes=1), "--dry-run")

    assert f"close {waiting_case.number}" not in output


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45", "2026-12-31T25:00:00", "", "31/12/2026 10:00"])
def test_a_time_it_cannot_read_is_refused_and_nothing_changes(waiting_case, at, value):
    before = picture(waiting_case)

    with at(DEADLINE + dt.timedelta(days=7)), pytest.raises(CommandError) as refused:
        call_command("close_idle_cases", "--as-of", value, stdout=io.StringIO())

    message = str(refused.value)
    assert "--as-of" in message
    assert "ISO-8601" in message
    assert repr(value) in message
    assert picture(waiting_case) == before


def test_as_of_acts_as_if_the_time_were_that_instant(waiting_case, close_idle):
    # Given today is Monday 2027-01-04, and the job runs for Thursday 10:00 (catching up)
    monday = ny(2027, 1, 4, 8, 0)

    output = close_idle(monday, as_of=DEADLINE)

    # Then it closes as it would have at that instant: closed then, not now
    assert f"close {waiting_case.number}" in output
    waiting_case.refresh_from_db()
    assert (waiting_case.status, waiting_case.close_reason) == ("closed", "auto_closed")
    assert waiting_case.closed_at == DEADLINE


def test_as_of_before_the_deadline_closes_nothing_even_when_it_is_later_now(waiting_case, close_idle):
    output = close_idle(ny(2027, 1, 4, 8, 0), as_of=DEADLINE - dt.timedelta(minutes=1))

    assert f"close {waiting_case.number}" not in output
    waiting_case.refresh_from_db()
    assert waiting_case.status == "solution_proposed"


def test_as_of_with_an_offset_is_the_same_instant_in_any_zone(waiting_case, at):
    # 15:00 UTC is 10:00 in New York: the deadline
    with at(DEADLINE):
        call_command("close_idle_cases", "--as-of", "2026-12-31T15:00:00Z", stdout=io.StringIO())

    waiting_case.refresh_from_db()
    assert waiting_case.status == "closed"
