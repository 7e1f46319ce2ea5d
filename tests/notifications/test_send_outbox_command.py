"""``manage.py send_outbox`` delivers what is due without a worker, and says what it did."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from notifications.models import OutboxStatus
from tests.notifications.ping_email import lost_ping


def test_it_sends_what_is_due_and_prints_the_counts(smtp_sink, db):
    first = lost_ping(to="first@acme.example")  # no worker took them
    lost_ping(to="second@acme.example")
    smtp_sink.reject_next(1)
    out = StringIO()

    call_command("send_outbox", stdout=out)

    assert out.getvalue().strip() == "Sent 1 e-mail(s). Outbox: 0 pending, 0 sending, 1 sent, 1 failed."
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "second@acme.example"
    first.refresh_from_db()
    assert first.status == OutboxStatus.FAILED


def test_a_second_run_sends_nothing_more(smtp_sink, db):
    lost_ping()
    call_command("send_outbox", stdout=StringIO())
    out = StringIO()

    call_command("send_outbox", stdout=out)

    assert out.getvalue().startswith("Sent 0 e-mail(s).")
    assert len(smtp_sink.messages) == 1
