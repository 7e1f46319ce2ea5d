"""Given one event queues the same mail twice under one key, one mail goes out."""

from __future__ import annotations

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import sweep_outbox


def test_two_queue_email_calls_with_one_key_make_one_row_and_one_mail(smtp_sink, committed_ping):
    first = committed_ping(dedupe_key="auto-close-reminder:C-1001:1")
    second = committed_ping(dedupe_key="auto-close-reminder:C-1001:1", context={"title": "Another title"})

    assert second.pk == first.pk
    assert OutboxEmail.objects.count() == 1
    assert sweep_outbox() == 0
    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "Ping: Backups fail every night"
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT


def test_different_keys_make_different_mails(smtp_sink, committed_ping):
    committed_ping(dedupe_key="auto-close-reminder:C-1001:1")
    committed_ping(dedupe_key="auto-close-reminder:C-1001:2")

    assert len(smtp_sink.wait_for(2)) == 2
