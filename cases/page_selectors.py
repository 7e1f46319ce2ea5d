"""Reads that only the browser pages need, on top of :mod:`cases.selectors`.

Each one is bounded: a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, Tier, User

from .models import Attachment, Case, CaseEvent, EscalationLevel, EventKind, RequestType, Severity, Status, TimeEntry
from .selectors import member_organization_ids
from .services.lifecycle import REOPEN_WINDOW


def case_files_visible_to(user: User, case: Case) -> QuerySet[Attachment]:
    """The files logged with the case itself (not with a message)."""
    queryset = case.attachments.filter(message__isnull=True)
    if not user.is_support_staff:
        queryset = queryset.filter(internal=False)
    return queryset.order_by("created_at", "id")


def time_entries_of(case: Case) -> QuerySet[TimeEntry]:
    return case.time_entries.select_related("engineer").order_by("created_at", "id")


def organizations_spent_minutes(user: User) -> int:
    """The minutes logged on every case of the customer's organizations (their counters)."""
    total = Organization.objects.filter(pk__in=member_organization_ids(user)).aggregate(total=Sum("spent_minutes"))
    return total["total"] or 0


def bounded_count(queryset: QuerySet[Any], cap: int = 99) -> tuple[int, bool]:
    """How many rows, counting no further than ``cap`` (+1 to know there are more)."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def edown_first(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Keep the queryset's order, but with Enterprise Down cases on top."""
    ordering = list(queryset.query.order_by) or ["severity_rank", "-id"]
    if ordering[:1] == ["severity_rank"]:
        return queryset
    edown = CaseWhen(When(severity_rank=0, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.order_by(edown, *ordering)


def page_window(queryset: QuerySet[Case], page: int, per_page: int) -> tuple[list[Case], bool]:
    """One page of rows and whether another follows, without counting the whole queue."""
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def get_phone_customer(customer_id: object) -> User | None:
    """The customer the phone desk logs a case for (an active customer, or nobody)."""
    try:
        pk = int(str(customer_id))
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, role=Role.CUSTOMER, is_active=True).first()


def can_still_reopen(case: Case) -> bool:
    """Closed, and within 30 days of closing (the rule reopen_case applies)."""
    if case.status != Status.CLOSED:
        return False
    return case.closed_at is None or timezone.now() - case.closed_at <= REOPEN_WINDOW


# --- The timeline, in words ---------------------------------------------------------------

_VALUE_LABELS: dict[str, type] = {
    EventKind.STATUS: Status,
    EventKind.SEVERITY: Severity,
    EventKind.TIER: Tier,
    EventKind.ESCALATION: EscalationLevel,
}
_KEY_CHOICES: dict[str, type] = {
    "status": Status,
    "severity": Severity,
    "request_type": RequestType,
    "tier": Tier,
    "level": EscalationLevel,
}
_HIDDEN_KEYS = {"message", "attachment"}


def _key_label(key: str) -> str:
    labels = {
        "status": _("Status"),
        "severity": _("Severity"),
        "request_type": _("Request type"),
        "tier": _("Tier"),
        "level": _("Level"),
        "minutes": _("Minutes"),
        "billable": _("Billable"),
        "attachments": _("Attachments"),
        "name": _("File"),
        "category": _("Category"),
    }
    return labels.get(key, key.replace("_", " ").capitalize())


def _label(choices: type | None, value: Any) -> str:
    if choices is not None and value in choices.values:  # type: ignore[attr-defined]
        return str(choices(value).label)  # type: ignore[call-arg]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def describe_value(kind: str, value: Any) -> str:
    """An event's ``before`` or ``after`` as a person reads it."""
    if value is None or value == "" or value == {}:
        return ""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if key in _HIDDEN_KEYS or item in (None, "") or (key == "attachments" and not item):
                continue
            parts.append(f"{_key_label(key)}: {_label(_KEY_CHOICES.get(key), item)}")
        return " · ".join(parts)
    if isinstance(value, list):
        return ", ".join(describe_value(kind, item) for item in value)
    return _label(_VALUE_LABELS.get(kind), value)


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    before: str
    after: str


def timeline_entries(events: Iterable[CaseEvent]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event=event,
            before=describe_value(event.kind, event.before),
            after=describe_value(event.kind, event.after),
        )
        for event in events
    ]
