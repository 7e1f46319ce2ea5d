"""Bounces mark the addresses that fail, for the admin to see and fix."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..classify import failing_recipients
from ..models import FailingAddress, InboundMessage
from ..parsing import ParsedMail


def record_bounce(*, mail: ParsedMail, report: InboundMessage) -> str:
    """Count a bounce against every recipient the report says failed; returns a line
    for the mail's detail."""
    failed = failing_recipients(mail)
    now = timezone.now()
    for address, status, diagnostic in failed:
        changes = {
            "last_bounce_at": now,
            "last_status": status[:32],
            "last_diagnostic": diagnostic,
            "last_report": report if report.pk else None,
        }
        updated = FailingAddress.objects.filter(email=address).update(bounce_count=F("bounce_count") + 1, **changes)
        if updated:
            continue
        try:
            with transaction.atomic():
                FailingAddress.objects.create(email=address, bounce_count=1, first_bounce_at=now, **changes)
        except IntegrityError:  # another bounce for the same address, at the same moment
            FailingAddress.objects.filter(email=address).update(bounce_count=F("bounce_count") + 1, **changes)
    if not failed:
        return "no failed recipient named in the report"
    return "failing: " + ", ".join(address for address, _status, _diagnostic in failed)
