"""Reads that only the browser pages need, on top of :mod:`cases.selectors`.

Each one is bounded: a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Prefetch, QuerySet, Sum, Value, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, Tier, User

from .models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    EscalationLevel,
    EventKind,
    Message,
    RequestType,
    Severity,
    Status,
    TimeEntry,
)
from .selectors import member_organization_ids, messages_visible_to
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


# What the case lists print (queue_rows, tracker_rows): not the descriptions (kilobytes
# each), nor the requester, nor the rest of each organization and engineer.
LIST_COLUMNS = (
    "title",
    "status",
    "severity",
    "severity_rank",
    "tier",
    "request_type",
    "updated_at",
    "spent_minutes",
    "organization__name",
    "organization__customer_number",
    "assignee__name",
    "assignee__email",
)


def list_columns(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """``queryset`` reading only the columns the case lists print."""
    return queryset.select_related(None).select_related("organization", "assignee").only(*LIST_COLUMNS)


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


# --- Rows of the busiest pages, ready to print --------------------------------------------
#
# The dashboard's queue, the Case Tracker and a case's thread and history print 25 to
# hundreds of rows. Per row, an ``{% include %}`` of a badge or a date, a ``{% url %}``, a
# ``get_FOO_display`` and a ``{% blocktranslate %}`` cost more than the query did; so the
# rows are prepared here once, as plain strings in the active language and time zone
# (labels looked up in a dict made once per page, URLs from a prefix reversed once, each
# moment converted once), and the templates print them — autoescaped, as before.


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def moment(value: datetime, *, relative: bool = False) -> dict[str, str]:
    """What ``cases/_when.html`` prints of ``value``: ISO date, full date in the viewer's
    time zone and language, and the text shown (relative, "3 hours ago", or the full date)."""
    local = timezone.template_localtime(value)
    full = date_format(local, "DATETIME_FORMAT")
    # date_format(local, "c") is isoformat().
    return {"iso": local.isoformat(), "full": full, "text": naturaltime(value) if relative else full}


def case_moments(case: Case) -> dict[str, dict[str, str]]:
    """The case's dates that ``cases/_case_facts.html`` prints (the ones that are set)."""
    fields = {
        "created": case.created_at,
        "updated": case.updated_at,
        "closed": case.closed_at,
        "first_response_due": case.first_response_due_at,
        "next_update_due": case.next_update_due_at,
    }
    return {name: moment(value) for name, value in fields.items() if value is not None}


class _CaseUrls:
    """``reverse(name, args=[number])`` for many cases: the prefix is reversed once."""

    _SENTINEL = "C-000000"

    def __init__(self, name: str) -> None:
        self.before, self.after = reverse(name, args=[self._SENTINEL]).split(self._SENTINEL, 1)

    def __call__(self, number: str) -> str:
        # As reverse() quotes a path argument.
        return self.before + quote(number, safe=RFC3986_SUBDELIMS + "/~:@") + self.after


def _badges(case: Case, status_labels: dict[str, str], severity_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": status_labels.get(case.status, case.status),
        "severity": case.severity,
        "severity_label": severity_labels.get(case.severity, case.severity),
        "edown": case.severity_rank == 0,
        "updated": moment(case.updated_at, relative=True),
    }


def queue_rows(cases: Iterable[Case], *, picked: Any = None) -> list[dict[str, Any]]:
    """The staff dashboard's rows (``picked``: the bulk form's ticked case numbers)."""
    status_labels, severity_labels = _labels(Status), _labels(Severity)
    url = _CaseUrls("cases:workspace")
    select = _("Select %(number)s")
    rows = []
    for case in cases:
        try:
            checked = case.number in picked
        except TypeError:  # nothing ticked (None)
            checked = False
        row = _badges(case, status_labels, severity_labels)
        row.update(
            pk=case.pk,
            url=url(case.number),
            checked=checked,
            select_label=select % {"number": case.number},
            organization_name=case.organization.name,
            customer_number=case.organization.customer_number,
            tier=case.tier,
            engineer=case.assignee.display_name if case.assignee else "",
        )
        rows.append(row)
    return rows


def tracker_rows(cases: Iterable[Case]) -> list[dict[str, Any]]:
    """The Case Tracker's rows."""
    status_labels, severity_labels = _labels(Status), _labels(Severity)
    request_types = _labels(RequestType)
    url = _CaseUrls("cases:detail")
    rows = []
    for case in cases:
        row = _badges(case, status_labels, severity_labels)
        row.update(
            url=url(case.number),
            request_type=request_types.get(case.request_type, case.request_type),
            spent_hours=case.spent_hours,
            organization_name=case.organization.name,
            customer_number=case.organization.customer_number,
        )
        rows.append(row)
    return rows


def _attachment_urls() -> tuple[str, str]:
    sentinel = 987654321
    before, after = reverse("cases:attachment", args=[sentinel]).split(str(sentinel), 1)
    return before, after


def attachment_rows(files: Iterable[Attachment], urls: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    before, after = urls or _attachment_urls()
    return [
        {"url": f"{before}{file.pk}{after}", "name": file.name, "size": filesizeformat(file.size)} for file in files
    ]


def thread_rows(user: User, case: Case, *, public_only: bool = False) -> list[dict[str, Any]]:
    """The case's correspondence as ``cases/_thread.html`` prints it, oldest first: the
    messages the user may see (only the public ones with ``public_only``), with their files."""
    queryset = messages_visible_to(user, case)
    if public_only:
        queryset = queryset.filter(internal=False)
    # The files in a list on each message (one query, no manager per message).
    queryset = queryset.prefetch_related(None).prefetch_related(Prefetch("attachments", to_attr="files"))
    channels = _labels(Channel)
    via = _("via %(channel)s")
    urls = _attachment_urls()
    rows = []
    message: Message
    for message in queryset:
        author = message.author
        staff_author = author is not None and author.is_support_staff
        if message.internal:
            css = "internal"
        elif staff_author:
            css = "staff"
        else:
            css = "customer"
        rows.append(
            {
                "pk": message.pk,
                "css": css,
                "author": author.display_name if author is not None else "",
                "staff_author": staff_author,
                "internal": message.internal,
                "when": moment(message.created_at),
                "via": ""
                if message.channel == Channel.WEB
                else via % {"channel": channels.get(message.channel, message.channel)},
                "body_html": message.body_html,
                "body": message.body,
                "files": attachment_rows(message.files, urls),  # type: ignore[attr-defined]
            }
        )
    return rows


def timeline_rows(events: Iterable[CaseEvent]) -> list[dict[str, Any]]:
    """A case's history as ``cases/_timeline.html`` prints it."""
    kinds, channels = _labels(EventKind), _labels(Channel)
    both = _("%(before)s → %(after)s")
    rows = []
    for entry in timeline_entries(events):
        event = entry.event
        if entry.before and entry.after:
            change = both % {"before": entry.before, "after": entry.after}
        else:
            change = entry.after or entry.before
        when = moment(event.created_at)
        rows.append(
            {
                "kind": kinds.get(event.kind, event.kind),
                "change": change,
                "note": event.note,
                "iso": when["iso"],
                "full": when["full"],
                "actor": event.actor.display_name if event.actor else "",
                "channel": channels.get(event.channel, event.channel),
            }
        )
    return rows
