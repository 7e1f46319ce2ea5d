"""The sweep delivers what is due, the longest-waiting first, and no more than its limit."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import sweep_outbox
from tests.notifications.ping_email import lost_ping


def test_a_sweep_sends_at_most_its_limit_oldest_due_first(smtp_sink, db):
    rows = [lost_ping(to=f"user{n}@acme.example") for n in range(5)]
    for age, row in enumerate(rows):  # the last one queued has waited longest
        OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=age))

    assert sweep_outbox(limit=3) == 3
    assert [message["To"] for message in smtp_sink.wait_for(3)] == [
        "user4@acme.example",
        "user3@acme.example",
        "user2@acme.example",
    ]

    assert sweep_outbox(limit=3) == 2
    assert len(smtp_sink.wait_for(5)) == 5
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_sweep_leaves_mails_that_are_not_due_yet(smtp_sink, db):
    later = lost_ping()
    OutboxEmail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=10))

    assert sweep_outbox() == 0
    assert sweep_outbox(now=timezone.now() + timedelta(minutes=11)) == 1
    assert len(smtp_sink.wait_for(1)) == 1
