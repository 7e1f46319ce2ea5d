"""Reads for SLA: the target that applies and the calendar to count it in."""

from __future__ import annotations

import threading
from datetime import time
from time import monotonic
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .business_time import BusinessCalendar
from .models import DEFAULT_TARGETS, ClockKind, SlaTarget

# --- The configured targets, cached per process -------------------------------------------
#
# Every case logged (and every status change) needs its target: at most 15 rows, edited a
# few times a year in the admin. Each process keeps them all, read in one query, for
# TARGETS_TTL_SECONDS. Saving or deleting a target through the ORM (the admin, the shell,
# fixtures) empties this process's copy at once and again when the change commits; while
# the change is uncommitted, the connection that made it reads the table itself, so it
# sees its own change and nobody caches a change that may yet roll back. Other processes
# (the other web workers, Celery) pick the change up within the TTL.

TARGETS_TTL_SECONDS = 30.0

_lock = threading.Lock()
_cached: dict[tuple[str, str], tuple[Any, ...]] | None = None
_loaded_at = 0.0
_generation = 0  # counts forget_targets(): a read that raced with one is not kept
_FIELDS = ("id", "plan", "severity", "first_response_minutes", "next_update_minutes", "clock")
_PENDING = "_sla_targets_written"  # set on a connection that wrote a target in an open transaction


def _read_targets() -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(row[1], row[2]): row for row in SlaTarget.objects.values_list(*_FIELDS)}


def _configured_targets() -> dict[tuple[str, str], tuple[Any, ...]]:
    global _cached, _loaded_at
    connection = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, _PENDING, False):
        if connection.in_atomic_block:
            return _read_targets()  # this transaction changed them: read its own view
        forget_targets()  # that transaction ended (committed or rolled back)
    cached, now, generation = _cached, monotonic(), _generation
    if cached is None or now - _loaded_at > TARGETS_TTL_SECONDS:
        cached = _read_targets()
        with _lock:
            if generation == _generation:
                _cached, _loaded_at = cached, now
    return cached


def forget_targets(**_: Any) -> None:
    """Empty this process's copy of the configured targets: the next lookup reads them
    (after a migration or a flush, which write without the model's signals; in tests)."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1
    setattr(connections[DEFAULT_DB_ALIAS], _PENDING, False)


def target_written(*, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """``post_save``/``post_delete`` of ``SlaTarget`` (connected in ``SlaConfig.ready``)."""
    forget_targets()
    connection = connections[using]
    if connection.in_atomic_block:
        setattr(connection, _PENDING, True)

        def committed() -> None:
            setattr(connection, _PENDING, False)
            forget_targets()

        transaction.on_commit(committed, using=using)


def target_for(*, plan: str, severity: str) -> SlaTarget:
    """The configured target, or the documented default when none is configured."""
    row = _configured_targets().get((plan, severity))
    if row is not None:
        return SlaTarget(**dict(zip(_FIELDS, row, strict=True)))
    first, update, clock = DEFAULT_TARGETS.get(plan, DEFAULT_TARGETS["basic"])[severity]
    return SlaTarget(
        plan=plan, severity=severity, first_response_minutes=first, next_update_minutes=update, clock=clock
    )


def calendar_for(
    *, country: str, timezone: str, start: time, end: time, clock: str = ClockKind.BUSINESS
) -> BusinessCalendar:
    if clock == ClockKind.ALWAYS:
        return BusinessCalendar.twenty_four_seven(timezone)
    return BusinessCalendar(country=country, timezone=timezone, start=start, end=end)
