"""Celery interfaces to the outbox: ids in, one service call, safe to run twice.

A delivery that fails for a passing reason leaves its row pending with ``next_attempt_at``
set to the backoff; the task does not re-schedule itself. The beat sweep (every
``OUTBOX_SWEEP_SECONDS``, a minute unless set) delivers it once it is due. One mechanism for
every retry, whether the broker lost the task, the mail server said "later" or a worker
died, means no countdown task can sit in a queue and race the sweep for the same row
(the claim would stop a double send anyway). The cost: a retry may start up to one sweep
interval after its backoff ends.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="notifications.deliver_email")
def deliver_email_task(outbox_id: int) -> bool:
    from .services import deliver_outbox_email

    return deliver_outbox_email(outbox_id=outbox_id)


# A sweep left queued behind a stopped worker is not worth running once a newer one is
# due: beat sends one every minute.
@shared_task(name="notifications.sweep_outbox", expires=120)
def sweep_outbox_task() -> int:
    from .services import sweep_outbox

    return sweep_outbox()
