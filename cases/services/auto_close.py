"""Automatic closing (API.md "Automatic closing"): a case waiting for the customer closes
after 5 business days without a word from them, with a reminder one business day before.

Set-based and idempotent: each run takes the cases whose stored deadline has passed, in
bounded batches through a partial index, locks them (two runs at once take disjoint rows:
``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at a time), and closes a
batch with one UPDATE and two inserts. Each e-mail carries a de-duplication key, so
nothing is closed or sent twice, and is queued by ids: the workers that deliver the mails
render them, not this job. The cost grows with the number of cases due, not with the
table (bench/README.md: 50,000 due among 1,000,000 cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import (
    AWAITING_CUSTOMER_STATUSES,
    Case,
    CaseEvent,
    Channel,
    CloseReason,
    EventKind,
    Status,
    format_case_number,
)
from .mail import LaterMail, email_people_later

BATCH_SIZE = 1000


@dataclass
class AutoCloseReport:
    as_of: datetime
    dry_run: bool
    reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def _awaiting() -> object:
    return Case.objects.filter(status__in=AWAITING_CUSTOMER_STATUSES)


def due_for_auto_close(as_of: datetime):  # type: ignore[no-untyped-def]
    return _awaiting().filter(auto_close_at__lte=as_of).order_by("auto_close_at", "id")


def due_for_reminder(as_of: datetime):  # type: ignore[no-untyped-def]
    return (
        _awaiting()
        .filter(auto_close_reminder_at__lte=as_of, auto_close_reminded_at__isnull=True, auto_close_at__gt=as_of)
        .order_by("auto_close_reminder_at", "id")
    )


def _claim(queryset, batch_size: int, *fields: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Lock up to ``batch_size`` due rows (rows another run holds are skipped) and read ``fields``."""
    return list(queryset.select_for_update(skip_locked=True).values_list("id", *fields)[:batch_size])


def send_auto_close_reminders(*, as_of: datetime, batch_size: int = BATCH_SIZE) -> list[str]:
    reminded: list[str] = []
    while True:
        with transaction.atomic():
            due = _claim(due_for_reminder(as_of), batch_size, "auto_close_at", "requester_id")
            if not due:
                return reminded
            # --as-of acts as if the time were T
            Case.objects.filter(id__in=[pk for pk, *_ in due]).update(auto_close_reminded_at=as_of)
            email_people_later(
                [
                    LaterMail(
                        person_id=requester_id,
                        case_id=pk,
                        template="auto_close_reminder",
                        dedupe_key=f"auto-close-reminder:{pk}:{deadline.isoformat()}",
                    )
                    for pk, deadline, requester_id in due
                ]
            )
            reminded += [format_case_number(pk) for pk, *_ in due]


def close_due_cases(*, as_of: datetime, batch_size: int = BATCH_SIZE) -> list[str]:
    """Close every due case: per batch one locking read, one UPDATE, two inserts (events, mails).

    No case is loaded as a model and no e-mail is rendered here: the closing mails are
    queued by ids and rendered by the workers that deliver them.
    """
    closed: list[str] = []
    while True:
        with transaction.atomic():
            due = _claim(due_for_auto_close(as_of), batch_size, "status", "auto_close_at", "requester_id")
            if not due:
                return closed
            now = as_of  # --as-of acts as if the time were T
            # The rows are locked (SQLite: the whole database is, for this transaction):
            # nothing can have changed them since the read.
            Case.objects.filter(id__in=[pk for pk, *_ in due]).update(
                status=Status.CLOSED,
                close_reason=CloseReason.AUTO_CLOSED,
                closed_at=now,
                status_changed_at=now,
                updated_at=now,
                auto_close_at=None,
                auto_close_reminder_at=None,
                next_update_due_at=None,
                sla_due_at=None,
            )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=pk,
                        actor=None,
                        channel=Channel.SYSTEM,
                        kind=EventKind.STATUS,
                        before=status,
                        after=Status.CLOSED,
                        note="auto_closed",
                        created_at=now,
                    )
                    for pk, status, _deadline, _requester in due
                ]
            )
            email_people_later(
                [
                    LaterMail(
                        person_id=requester_id,
                        case_id=pk,
                        template="case_closed",
                        dedupe_key=f"auto-closed:{pk}:{deadline.isoformat()}",
                    )
                    for pk, _status, deadline, requester_id in due
                ]
            )
            closed += [format_case_number(pk) for pk, *_ in due]


def close_idle_cases(*, as_of: datetime | None = None, dry_run: bool = False) -> AutoCloseReport:
    """Remind, then close, every case whose auto-close time has come by ``as_of``."""
    as_of = as_of or timezone.now()
    report = AutoCloseReport(as_of=as_of, dry_run=dry_run)
    if dry_run:
        report.reminded = [c.number for c in due_for_reminder(as_of).only("id")]
        report.closed = [c.number for c in due_for_auto_close(as_of).only("id")]
        return report
    report.reminded = send_auto_close_reminders(as_of=as_of)
    report.closed = close_due_cases(as_of=as_of)
    return report
