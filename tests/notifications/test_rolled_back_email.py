"""Given a change that queues an e-mail and then fails, nothing is sent and nothing is kept."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.models import OutboxEmail
from notifications.services import sweep_outbox
from tests.notifications.ping_email import queue_ping


class ChangeFailed(Exception):
    pass


def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(smtp_sink, django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ChangeFailed), transaction.atomic():
            queue_ping()
            raise ChangeFailed

    assert callbacks == []
    assert not OutboxEmail.objects.exists()
    assert sweep_outbox() == 0
    assert smtp_sink.messages == []
