"""Given the broker is down when the change commits, the change stands and the sweep sends the mail."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Organization
from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import sweep_outbox
from tests.factories import OrganizationFactory
from tests.notifications.ping_email import queue_ping


@pytest.mark.django_db(transaction=True)
def test_the_change_commits_and_a_later_sweep_delivers_the_mail_once(smtp_sink, broker_down, caplog):
    with transaction.atomic():
        OrganizationFactory(name="Initech", customer_number="INITECH-1")
        row = queue_ping()
    # The commit really happened, and the after-commit hand-over to the broker failed.
    assert "broker unavailable, left for the sweep" in caplog.text

    assert Organization.objects.filter(customer_number="INITECH-1").exists()
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert smtp_sink.messages == []

    assert sweep_outbox() == 1
    assert sweep_outbox() == 0

    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT
