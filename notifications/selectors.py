"""Reads of the outbox: which rows are due, and how many there are of each status."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Q

from .models import OutboxEmail, OutboxStatus


def due_filter(*, now: datetime) -> Q:
    """Rows a worker may claim at ``now``: waiting and due, or claimed by a worker whose lease ran out.

    The first condition repeats the predicate of the partial index ``outbox_due`` word
    for word, so that PostgreSQL can answer from it.
    """
    return (
        Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        & Q(next_attempt_at__lte=now)
        & (Q(status=OutboxStatus.PENDING) | Q(claimed_until__lt=now) | Q(claimed_until__isnull=True))
    )


def due_outbox_ids(*, now: datetime, limit: int, exclude: Collection[int] = ()) -> list[int]:
    """Ids of up to ``limit`` rows due at ``now``, the longest-waiting first."""
    rows = OutboxEmail.objects.filter(due_filter(now=now))
    if exclude:
        rows = rows.exclude(pk__in=list(exclude))
    return list(rows.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def outbox_status_counts() -> dict[str, int]:
    """How many rows the outbox holds of each status (every status named, zero included)."""
    counts = {status.value: 0 for status in OutboxStatus}
    for row in OutboxEmail.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
