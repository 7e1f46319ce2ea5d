"""Automatic closing (API.md "Automatic closing"): a case waiting for the customer closes
after 5 business days without a word from them, with a reminder one business day before.

Set-based and idempotent: each run takes the cases whose stored deadline has passed, in
bounded batches through a partial index, claims them with a conditional UPDATE (two runs
at once take disjoint rows: ``SKIP LOCKED`` on PostgreSQL), and queues each e-mail with
a de-duplication key, so nothing is closed or sent twice. The cost grows with the number
of cases due, not with the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import AWAITING_CUSTOMER_STATUSES, Case, CaseEvent, Channel, CloseReason, EventKind, Status
from .mail import BulkMail, email_people

BATCH_SIZE = 500


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


def _claim_batch(queryset, batch_size: int) -> list[Case]:  # type: ignore[no-untyped-def]
    ids = list(queryset.select_for_update(skip_locked=True).values_list("id", flat=True)[:batch_size])
    if not ids:
        return []
    return list(Case.objects.filter(id__in=ids).select_related("organization", "requester").order_by("id"))


def send_auto_close_reminders(*, as_of: datetime, batch_size: int = BATCH_SIZE) -> list[str]:
    reminded: list[str] = []
    while True:
        with transaction.atomic():
            cases = _claim_batch(due_for_reminder(as_of), batch_size)
            if not cases:
                return reminded
            now = as_of  # --as-of acts as if the time were T
            Case.objects.filter(id__in=[c.pk for c in cases], auto_close_reminded_at__isnull=True).update(
                auto_close_reminded_at=now
            )
            email_people(
                [
                    BulkMail(
                        person=case.requester,
                        template="auto_close_reminder",
                        case=case,
                        dedupe_key=f"auto-close-reminder:{case.pk}:{case.auto_close_at.isoformat()}",
                    )
                    for case in cases
                ]
            )
            reminded += [case.number for case in cases]


def close_due_cases(*, as_of: datetime, batch_size: int = BATCH_SIZE) -> list[str]:
    closed: list[str] = []
    while True:
        with transaction.atomic():
            cases = _claim_batch(due_for_auto_close(as_of), batch_size)
            if not cases:
                return closed
            now = as_of  # --as-of acts as if the time were T
            changed = Case.objects.filter(
                id__in=[c.pk for c in cases], status__in=AWAITING_CUSTOMER_STATUSES, auto_close_at__lte=as_of
            ).update(
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
            if changed != len(cases):  # only possible if rows changed under us; never close twice
                cases = list(
                    Case.objects.filter(
                        id__in=[c.pk for c in cases], status=Status.CLOSED, closed_at=now
                    ).select_related("organization", "requester")
                )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case=case,
                        actor=None,
                        channel=Channel.SYSTEM,
                        kind=EventKind.STATUS,
                        before=case.status,
                        after=Status.CLOSED,
                        note="auto_closed",
                        created_at=now,
                    )
                    for case in cases
                ]
            )
            deadlines = {case.pk: case.auto_close_at for case in cases}
            for case in cases:
                case.status = Status.CLOSED
                case.close_reason = CloseReason.AUTO_CLOSED
                case.closed_at = now
            email_people(
                [
                    BulkMail(
                        person=case.requester,
                        template="case_closed",
                        case=case,
                        dedupe_key=f"auto-closed:{case.pk}:{deadlines[case.pk].isoformat() if deadlines[case.pk] else ''}",
                    )
                    for case in cases
                ]
            )
            closed += [case.number for case in cases]


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
