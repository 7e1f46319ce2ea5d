"""Given the mail server refuses our login, the mail waits and no password is ever written down."""

from __future__ import annotations

import logging

from notifications.models import OutboxStatus

PASSWORD = "s3cret-smtp-passw0rd"


def test_a_refused_login_keeps_the_mail_pending_and_records_no_password(smtp_sink, committed_ping, settings, caplog):
    smtp_sink.require_login("mailer", "the-real-password")
    settings.EMAIL_HOST_USER = "mailer"
    settings.EMAIL_HOST_PASSWORD = PASSWORD
    caplog.set_level(logging.DEBUG, logger="notifications")

    row = committed_ping()

    assert row.status == OutboxStatus.PENDING
    assert "535" in row.last_error
    assert PASSWORD not in row.last_error
    assert PASSWORD not in caplog.text
    assert smtp_sink.messages == []

    settings.EMAIL_HOST_PASSWORD = "the-real-password"
    row.__class__.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    from notifications.services import sweep_outbox

    assert sweep_outbox() == 1
    assert len(smtp_sink.wait_for(1)) == 1
