"""SLA breach alerts: once per breach, to the assigned engineer's manager."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from ..models import OPEN_STATUSES, Case
from .mail import BulkMail, email_people

BATCH_SIZE = 500
FALLBACK_MANAGERS = 5


def breached_unalerted(now: datetime):  # type: ignore[no-untyped-def]
    return Case.objects.filter(
        status__in=OPEN_STATUSES, sla_due_at__lt=now, sla_breach_alerted_at__isnull=True
    ).order_by("sla_due_at", "id")


def _recipients(case: Case, fallback: list[User]) -> list[User]:
    if case.assignee is not None and case.assignee.manager is not None:
        return [case.assignee.manager]
    if case.organization.account_manager is not None:
        return [case.organization.account_manager]
    return fallback


def alert_sla_breaches(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Tell a manager about each case whose SLA due time has passed; a breach is alerted
    once (the case is claimed with a conditional update and the mail de-duplicated)."""
    now = now or timezone.now()
    fallback = list(
        User.objects.filter(role=Role.MANAGER, available=True, is_active=True).order_by("id")[:FALLBACK_MANAGERS]
    )
    alerted = 0
    while True:
        with transaction.atomic():
            ids = list(
                breached_unalerted(now).select_for_update(skip_locked=True).values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return alerted
            Case.objects.filter(id__in=ids, sla_breach_alerted_at__isnull=True).update(sla_breach_alerted_at=now)
            cases = Case.objects.filter(id__in=ids).select_related(
                "organization__account_manager", "assignee__manager", "requester"
            )
            mails = []
            for case in cases:
                kind = "first_response" if case.first_response_at is None else "next_update"
                for person in _recipients(case, fallback):
                    mails.append(
                        BulkMail(
                            person=person,
                            template="sla_breach",
                            case=case,
                            extra={"kind": kind, "due": case.sla_due_at},
                            dedupe_key=f"sla-breach:{case.pk}:{case.sla_due_at.isoformat()}:{person.pk}",
                        )
                    )
            email_people(mails)
            alerted += len(ids)
