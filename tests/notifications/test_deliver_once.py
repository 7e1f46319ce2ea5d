"""Whoever delivers a row, and however often, the recipient gets one mail."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import deliver_outbox_email, sweep_outbox
from notifications.tasks import deliver_email_task, sweep_outbox_task
from tests.notifications.ping_email import lost_ping


def test_delivering_a_row_twice_sends_one_mail(smtp_sink, committed_ping):
    row = committed_ping()  # the task after commit delivered it

    assert deliver_outbox_email(outbox_id=row.pk) is False
    assert deliver_outbox_email(outbox_id=row.pk) is False

    assert len(smtp_sink.wait_for(1)) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1


def test_a_sweep_after_the_task_sends_nothing_more(smtp_sink, committed_ping):
    committed_ping()

    assert sweep_outbox() == 0
    assert sweep_outbox_task.apply().get() == 0

    assert len(smtp_sink.messages) == 1


def test_the_task_run_twice_and_a_sweep_send_one_mail(smtp_sink, db):
    row = lost_ping()

    assert deliver_email_task.apply(args=[row.pk]).get() is True
    assert deliver_email_task.apply(args=[row.pk]).get() is False
    assert sweep_outbox() == 0

    assert len(smtp_sink.messages) == 1


def test_a_row_that_does_not_exist_sends_nothing(smtp_sink, db):
    assert deliver_outbox_email(outbox_id=987654) is False
    assert smtp_sink.messages == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_rows_send_each_mail_once(smtp_sink):
    rows = [lost_ping(to=f"user{n}@acme.example") for n in range(8)]
    workers_per_row = 4
    results: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers_per_row)
    lock = threading.Lock()

    def worker(outbox_id: int) -> None:
        try:
            start.wait(timeout=10)
            sent = deliver_outbox_email(outbox_id=outbox_id)
            with lock:
                results.append(sent)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    for row in rows:
        threads = [threading.Thread(target=worker, args=(row.pk,)) for _ in range(workers_per_row)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert results.count(True) == len(rows)
    assert results.count(False) == len(rows) * (workers_per_row - 1)
    received = smtp_sink.wait_for(len(rows))
    assert len(received) == len(rows)
    assert sorted(message["Message-ID"] for message in received) == sorted(row.message_id for row in rows)
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert set(OutboxEmail.objects.values_list("attempts", flat=True)) == {1}
