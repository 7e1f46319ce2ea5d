"""Given the mail server says "try again later", the mail waits, then arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from notifications.models import OutboxStatus
from notifications.services import MAX_ATTEMPTS, deliver_outbox_email, sweep_outbox

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_451_leaves_the_mail_pending_and_the_next_attempt_after_the_backoff_delivers_it(smtp_sink, committed_ping):
    smtp_sink.defer_next(1)
    with time_machine.travel(START) as clock:
        row = committed_ping()

        assert smtp_sink.messages == []
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert "451" in row.last_error
        assert "try again later" in row.last_error
        assert START + timedelta(seconds=30) <= row.next_attempt_at <= START + timedelta(seconds=31)

        clock.move_to(START + timedelta(seconds=20))
        assert sweep_outbox() == 0, "not due before the backoff ends"
        assert smtp_sink.messages == []

        clock.move_to(START + timedelta(seconds=32))
        assert sweep_outbox() == 1

    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2


def test_the_wait_doubles_with_each_failure(smtp_sink, committed_ping):
    smtp_sink.defer_next(3)
    with time_machine.travel(START) as clock:
        row = committed_ping()  # attempt 1 fails: wait 30 s
        clock.move_to(START + timedelta(minutes=1))
        assert deliver_outbox_email(outbox_id=row.pk) is False  # attempt 2 fails: wait 60 s
        row.refresh_from_db()
        assert timedelta(seconds=60) <= row.next_attempt_at - (START + timedelta(minutes=1)) <= timedelta(seconds=61)

        clock.move_to(START + timedelta(minutes=3))
        assert deliver_outbox_email(outbox_id=row.pk) is False  # attempt 3 fails: wait 120 s
        row.refresh_from_db()
        assert timedelta(seconds=120) <= row.next_attempt_at - (START + timedelta(minutes=3)) <= timedelta(seconds=121)
        assert row.attempts == 3
        assert row.status == OutboxStatus.PENDING

        clock.move_to(START + timedelta(minutes=6))
        assert sweep_outbox() == 1
    assert len(smtp_sink.wait_for(1)) == 1


def test_it_gives_up_after_the_last_attempt(smtp_sink, committed_ping):
    row = committed_ping()
    smtp_sink.wait_for(1)
    row.__class__.objects.filter(pk=row.pk).update(status=OutboxStatus.PENDING, attempts=MAX_ATTEMPTS - 1)
    smtp_sink.defer_next(1)

    assert deliver_outbox_email(outbox_id=row.pk) is False

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == MAX_ATTEMPTS
    assert "451" in row.last_error
    assert len(smtp_sink.messages) == 1
