"""Given the mail server is down, mails wait without being given up, and go out once it is back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import MAX_ATTEMPTS, UNREACHABLE_WAIT, sweep_outbox

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_mails_queued_while_smtp_is_down_arrive_once_it_is_back(smtp_sink, committed_ping):
    smtp_sink.stop()
    with time_machine.travel(START) as clock:
        row = committed_ping()

        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert "refused" in row.last_error.lower()
        assert row.next_attempt_at > START

        smtp_sink.start()
        clock.move_to(START + timedelta(minutes=1))
        assert sweep_outbox() == 1

    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_long_outage_never_parks_a_mail_as_failed(smtp_sink, committed_ping):
    smtp_sink.stop()
    with time_machine.travel(START, tick=False) as clock:
        row = committed_ping()
        OutboxEmail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS + 5)

        clock.move_to(START + timedelta(hours=2))
        assert sweep_outbox() == 0

        row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING
        # However long the outage, the mail waits a short flat time, not a growing backoff.
        assert row.next_attempt_at == START + timedelta(hours=2) + UNREACHABLE_WAIT


def test_a_sweep_during_an_outage_stops_at_the_first_refused_connection(smtp_sink, committed_ping):
    smtp_sink.stop()
    with time_machine.travel(START, tick=False) as clock:
        rows = [committed_ping(to=f"user{n}@acme.example") for n in range(3)]
        assert {row.attempts for row in rows} == {1}

        clock.move_to(START + timedelta(minutes=5))
        assert sweep_outbox() == 0

    attempts = sorted(OutboxEmail.objects.values_list("attempts", flat=True))
    assert attempts == [1, 1, 2], "one row tried, the others left due for the next sweep"
    assert OutboxEmail.objects.filter(status=OutboxStatus.PENDING).count() == 3
