"""The clocks a case runs on: SLA due times and the auto-close deadline.

Both are stored on the case when something changes (logging, a status change, a staff
reply, a severity change), so scheduled jobs and queues read an indexed column instead
of computing business time over every open case.
"""

from __future__ import annotations

from datetime import datetime

from sla.business_time import BusinessCalendar
from sla.selectors import calendar_for, target_for

from ..models import AWAITING_CUSTOMER_STATUSES, Case, Status

AUTO_CLOSE_BUSINESS_DAYS = 5
REMINDER_BUSINESS_DAYS_BEFORE = 1

SLA_FIELDS = ["first_response_due_at", "next_update_due_at", "sla_due_at", "sla_breach_alerted_at"]
AUTO_CLOSE_FIELDS = ["auto_close_at", "auto_close_reminder_at", "auto_close_reminded_at"]


def business_days_calendar(case: Case) -> BusinessCalendar:
    organization = case.organization
    return BusinessCalendar(
        country=organization.country,
        timezone=organization.timezone,
        start=organization.business_hours_start,
        end=organization.business_hours_end,
    )


def refresh_sla(case: Case) -> None:
    """Recompute the case's SLA due times from its plan, severity and history (the
    caller saves ``SLA_FIELDS``). Enterprise Down runs on a 24x7 clock."""
    organization = case.organization
    case.sla_breach_alerted_at = None
    if case.status == Status.CLOSED:
        case.next_update_due_at = None
        case.sla_due_at = None
        return
    target = target_for(plan=organization.plan, severity=case.severity)
    calendar = calendar_for(
        country=organization.country,
        timezone=organization.timezone,
        start=organization.business_hours_start,
        end=organization.business_hours_end,
        clock=target.clock,
    )
    pending: list[datetime] = []
    if case.first_response_at is None:
        case.first_response_due_at = calendar.add_business_minutes(case.created_at, target.first_response_minutes)
        pending.append(case.first_response_due_at)
    if case.status in AWAITING_CUSTOMER_STATUSES:
        case.next_update_due_at = None  # the ball is in the customer's court
    else:
        since = case.last_staff_reply_at or case.created_at
        case.next_update_due_at = calendar.add_business_minutes(since, target.next_update_minutes)
        pending.append(case.next_update_due_at)
    case.sla_due_at = min(pending) if pending else None


def refresh_auto_close(case: Case) -> None:
    """Start, or stop, the 5-business-day auto-close clock (API.md "Automatic closing")."""
    if case.status in AWAITING_CUSTOMER_STATUSES:
        calendar = business_days_calendar(case)
        case.auto_close_at = calendar.add_business_days(case.status_changed_at, AUTO_CLOSE_BUSINESS_DAYS)
        case.auto_close_reminder_at = calendar.add_business_days(
            case.status_changed_at, AUTO_CLOSE_BUSINESS_DAYS - REMINDER_BUSINESS_DAYS_BEFORE
        )
    else:
        case.auto_close_at = None
        case.auto_close_reminder_at = None
    case.auto_close_reminded_at = None
