"""Reads for SLA: the target that applies and the calendar to count it in."""

from __future__ import annotations

from datetime import time

from .business_time import BusinessCalendar
from .models import DEFAULT_TARGETS, ClockKind, SlaTarget


def target_for(*, plan: str, severity: str) -> SlaTarget:
    """The configured target, or the documented default when none is configured."""
    target = SlaTarget.objects.filter(plan=plan, severity=severity).first()
    if target is not None:
        return target
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
