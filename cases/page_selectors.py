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
from django.db.models import IntegerField, QuerySet, Sum, Value, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, Tier, User

from .models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    EscalationLevel,
    EventKind,
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


# A case page prints a hundred dates in DATETIME_FORMAT ("Dec. 5, 2026, 4:47 p.m.") and
# date_format() costs ~20 µs a date (a formatter, a method per letter of the format, a
# gettext for the month and one for the "p.m."). What the letters of the day print and
# what those of the clock print are formatted by Django once per language (and format),
# then kept: a few hundred days, at most 1,440 minutes.
_DAY_LETTERS = frozenset("bdDEFjlLmMnNoStwWyYz")  # depend on the date alone
_CLOCK_LETTERS = frozenset("aAfgGhHiP")  # on the hour and the minute alone
_FORMATTED: dict[tuple[Any, ...], Any] = {}
_FORMATTED_MAX = 4096


class _Moments:
    """The ISO date and the full date (``date_format(…, "DATETIME_FORMAT")``) of the many
    dates of one page, in the active time zone and language. A format with other letters
    (seconds, time zone) is formatted whole every time."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.language = get_language()
        self.format = str(get_format("DATETIME_FORMAT"))
        letters = re_formatchars.split(self.format)[1::2]
        self.kept = all(letter in _DAY_LETTERS or letter in _CLOCK_LETTERS for letter in letters)

    def __call__(self, value: datetime) -> tuple[str, str]:
        local = timezone.localtime(value, self.zone)
        if not self.kept:
            return local.isoformat(), DateFormat(local).format(self.format)
        day_key = ("day", self.language, self.format, local.year, local.month, local.day)
        clock_key = ("clock", self.language, self.format, local.hour, local.minute)
        day, clock = _FORMATTED.get(day_key), _FORMATTED.get(clock_key)
        if day is None or clock is None:
            day, clock = self._format(local, day_key, clock_key)
        # date_format(local, "c") is isoformat().
        return local.isoformat(), day % clock

    def _format(self, local: datetime, day_key: tuple[Any, ...], clock_key: tuple[Any, ...]) -> tuple[str, Any]:
        """As DateFormat.format(): the day's text with a %s for each letter of the clock,
        and what the clock's letters print."""
        formatter = DateFormat(local)
        day_parts: list[str] = []
        clock_parts: list[str] = []
        for index, piece in enumerate(re_formatchars.split(self.format)):
            if not index % 2:
                day_parts.append(re_escaped.sub(r"\1", piece).replace("%", "%%"))
            elif piece in _CLOCK_LETTERS:
                day_parts.append("%s")
                clock_parts.append(str(getattr(formatter, piece)()))
            else:
                day_parts.append(str(getattr(formatter, piece)()).replace("%", "%%"))
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        day, clock = _FORMATTED[day_key], _FORMATTED[clock_key] = "".join(day_parts), tuple(clock_parts)
        return day, clock


def case_moments(case: Case) -> dict[str, dict[str, str]]:
    """The case's dates that ``cases/_case_facts.html`` prints (the ones that are set):
    ``iso`` and ``full``."""
    moments = _Moments()
    fields = {
        "created": case.created_at,
        "updated": case.updated_at,
        "closed": case.closed_at,
        "first_response_due": case.first_response_due_at,
        "next_update_due": case.next_update_due_at,
    }
    printed = {}
    for name, value in fields.items():
        if value is not None:
            iso, full = moments(value)
            printed[name] = {"iso": iso, "full": full}
    return printed


class _CaseUrls:
    """``reverse(name, args=[number])`` for many cases: the prefix is reversed once."""

    _SENTINEL = "C-000000"

    def __init__(self, name: str) -> None:
        self.before, self.after = reverse(name, args=[self._SENTINEL]).split(self._SENTINEL, 1)

    def __call__(self, number: str) -> str:
        # As reverse() quotes a path argument.
        return self.before + quote(number, safe=RFC3986_SUBDELIMS + "/~:@") + self.after


def _badges(
    case: Case, status_labels: dict[str, str], severity_labels: dict[str, str], moments: _Moments
) -> dict[str, Any]:
    iso, full = moments(case.updated_at)
    return {
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": status_labels.get(case.status, case.status),
        "severity": case.severity,
        "severity_label": severity_labels.get(case.severity, case.severity),
        "edown": case.severity_rank == 0,
        # What cases/_when.html prints: the relative text ("3 hours ago"), the date in full.
        "updated": {"iso": iso, "full": full, "text": naturaltime(case.updated_at)},
    }


def queue_rows(cases: Iterable[Case], *, picked: Any = None) -> list[dict[str, Any]]:
    """The staff dashboard's rows (``picked``: the bulk form's ticked case numbers)."""
    status_labels, severity_labels = _labels_now(Status), _labels_now(Severity)
    moments = _Moments()
    url = _CaseUrls("cases:workspace")
    select = _("Select %(number)s")
    rows = []
    for case in cases:
        try:
            checked = case.number in picked
        except TypeError:  # nothing ticked (None)
            checked = False
        row = _badges(case, status_labels, severity_labels, moments)
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
    status_labels, severity_labels = _labels_now(Status), _labels_now(Severity)
    request_types = _labels_now(RequestType)
    moments = _Moments()
    url = _CaseUrls("cases:detail")
    rows = []
    for case in cases:
        row = _badges(case, status_labels, severity_labels, moments)
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


_LABELS: dict[tuple[Any, str | None], dict[str, str]] = {}


def _labels_now(choices: Any) -> dict[str, str]:
    """``_labels(choices)`` in the active language, translated once per process (not to be
    changed by the caller)."""
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = _labels(choices)
    return labels


def thread_rows(user: User, case: Case, *, public_only: bool = False) -> list[dict[str, Any]]:
    """The case's correspondence as ``cases/_thread.html`` prints it, oldest first: the
    messages the user may see (only the public ones with ``public_only``), with their files."""
    queryset = messages_visible_to(user, case)
    if public_only:
        queryset = queryset.filter(internal=False)
    # Values, not models: a hundred messages, each with its author, cost more to build
    # than to read. The files in the same query (a message comes once per file), in the
    # order the prefetch read them.
    queryset = queryset.prefetch_related(None).order_by(
        *queryset.query.order_by, "attachments__created_at", "attachments__id"
    )
    lines = queryset.values_list(
        "pk",
        "internal",
        "channel",
        "created_at",
        "body_html",
        "body",
        "attachments__pk",
        "attachments__name",
        "attachments__size",
        "author_id",
        *(f"author__{name}" for name in _AUTHOR_FIELDS),
    )
    channels = _labels_now(Channel)
    via = _("via %(channel)s")
    former_user = _("Former user")
    moments = _Moments()
    before, after = _attachment_urls()
    authors: dict[int, tuple[str, bool]] = {}
    rows: list[dict[str, Any]] = []
    last = None
    for pk, internal, channel, created_at, body_html, body, file_pk, file_name, file_size, *author in lines:
        if pk != last:
            last = pk
            author_id = author[0]
            if author_id is None:
                name, staff_author = former_user, False
            else:
                name, staff_author = authors.get(author_id) or _author(authors, queryset.db, author)
            iso, full = moments(created_at)
            rows.append(
                {
                    "anchor": f"message-{pk}",
                    "css": "internal" if internal else "staff" if staff_author else "customer",
                    "author": name,
                    "staff_author": staff_author,
                    "internal": internal,
                    "iso": iso,
                    "full": full,
                    "via": "" if channel == Channel.WEB else via % {"channel": channels.get(channel, channel)},
                    "body_html": body_html,
                    "body": body,
                    "files": [],
                }
            )
        if file_pk is not None:
            rows[-1]["files"].append(
                {"url": f"{before}{file_pk}{after}", "name": file_name, "size": filesizeformat(file_size)}
            )
    return rows


# What a message's author is read with (a partly loaded User: any other field it needs
# later is one query more, which the page's query count tests would show).
_AUTHOR_FIELDS = ("name", "email", "role", "is_superuser")


def _author(authors: dict[int, tuple[str, bool]], db: str, values: list[Any]) -> tuple[str, bool]:
    """The name a message prints for its author, and whether they are support staff
    (``values``: the author's id and _AUTHOR_FIELDS)."""
    loaded = dict(zip(("id", *_AUTHOR_FIELDS), values, strict=True))
    names = [field.attname for field in User._meta.concrete_fields if field.attname in loaded]  # the model's order
    person = User.from_db(db, names, [loaded[name] for name in names])
    authors[person.pk] = (person.display_name, person.is_support_staff)
    return authors[person.pk]


def timeline_rows(events: Iterable[CaseEvent]) -> list[dict[str, Any]]:
    """A case's history as ``cases/_timeline.html`` prints it."""
    kinds, channels = _labels_now(EventKind), _labels_now(Channel)
    both = _("%(before)s → %(after)s")
    moments = _Moments()
    rows = []
    for entry in timeline_entries(events):
        event = entry.event
        if entry.before and entry.after:
            change = both % {"before": entry.before, "after": entry.after}
        else:
            change = entry.after or entry.before
        iso, full = moments(event.created_at)
        rows.append(
            {
                "kind": kinds.get(event.kind, event.kind),
                "change": change,
                "note": event.note,
                "iso": iso,
                "full": full,
                "actor": event.actor.display_name if event.actor else "",
                "channel": channels.get(event.channel, event.channel),
            }
        )
    return rows


def time_entry_rows(case: Case) -> list[dict[str, Any]]:
    """The time logged on the case as ``cases/workspace.html`` prints it, oldest first."""
    moments = _Moments()
    rows = []
    for entry in time_entries_of(case):
        iso, full = moments(entry.created_at)
        rows.append(
            {
                "iso": iso,
                "full": full,
                "engineer": entry.engineer.display_name,
                "note": entry.note,
                "minutes": entry.minutes,
                "billable": entry.billable,
            }
        )
    return rows
