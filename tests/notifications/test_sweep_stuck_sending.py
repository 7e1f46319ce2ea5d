"""Given a worker died mid-delivery, the sweep takes the mail over once its lease runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import LEASE, sweep_outbox
from tests.notifications.ping_email import lost_ping

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def claimed_by_a_dead_worker(*, lease_left: timedelta, to: str) -> OutboxEmail:
    row = lost_ping(to=to)
    OutboxEmail.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING, attempts=1, claimed_until=NOW + lease_left, next_attempt_at=NOW - LEASE
    )
    row.refresh_from_db()
    return row


def test_the_sweep_resends_a_row_whose_lease_expired_and_leaves_a_live_lease_alone(smtp_sink, db):
    expired = claimed_by_a_dead_worker(lease_left=-timedelta(seconds=1), to="expired@acme.example")
    live = claimed_by_a_dead_worker(lease_left=timedelta(minutes=4), to="live@acme.example")

    with time_machine.travel(NOW, tick=False):
        assert sweep_outbox() == 1

    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "expired@acme.example"
    expired.refresh_from_db()
    assert expired.status == OutboxStatus.SENT
    assert expired.attempts == 2
    assert OutboxEmail.objects.get(pk=live.pk).status == OutboxStatus.SENDING
    assert OutboxEmail.objects.get(pk=live.pk).attempts == 1
    assert OutboxEmail.objects.get(pk=live.pk).claimed_until == live.claimed_until

    with time_machine.travel(NOW + timedelta(minutes=4, seconds=1), tick=False):
        assert sweep_outbox() == 1

    assert [m["To"] for m in smtp_sink.wait_for(2)] == ["expired@acme.example", "live@acme.example"]
    assert OutboxEmail.objects.get(pk=live.pk).status == OutboxStatus.SENT
