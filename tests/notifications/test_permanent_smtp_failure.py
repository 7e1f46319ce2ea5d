"""Given the mail server refuses the recipient for good, the mail is parked until someone retries it."""

from __future__ import annotations

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import retry_failed_emails, sweep_outbox


def test_a_550_parks_the_mail_as_failed_and_no_sweep_retries_it(smtp_sink, committed_ping):
    smtp_sink.reject_next(1)

    row = committed_ping()

    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert "No such user" in row.last_error
    assert "alice@acme.example" not in row.last_error
    assert sweep_outbox() == 0
    assert smtp_sink.messages == []


def test_retrying_a_failed_mail_sends_it(smtp_sink, committed_ping, django_capture_on_commit_callbacks):
    smtp_sink.reject_next(1)
    row = committed_ping()

    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_emails(ids=[row.pk]) == 1

    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1, "a retried mail starts a fresh series of attempts"


def test_retrying_makes_a_failed_mail_pending_again_even_without_a_worker(smtp_sink, committed_ping):
    smtp_sink.reject_next(1)
    row = committed_ping()

    assert retry_failed_emails(ids=[row.pk]) == 1  # after-commit hand-over not run

    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert sweep_outbox() == 1
    assert len(smtp_sink.wait_for(1)) == 1


def test_retrying_leaves_sent_and_pending_mails_alone(smtp_sink, committed_ping):
    sent = committed_ping()
    smtp_sink.defer_next(1)
    pending = committed_ping(to="bob@acme.example")

    assert retry_failed_emails(ids=[sent.pk, pending.pk]) == 0

    assert OutboxEmail.objects.get(pk=sent.pk).status == OutboxStatus.SENT
    assert OutboxEmail.objects.get(pk=pending.pk).attempts == 1
    assert len(smtp_sink.messages) == 1
