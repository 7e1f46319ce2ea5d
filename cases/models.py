"""Cases, their correspondence, attachments, time and the audit trail."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Case as DbCase
from django.db.models import F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AppendOnlyModel, Organization, Tier

CASE_NUMBER_RE = re.compile(r"^C-(\d{6,})$")


class Severity(models.TextChoices):
    ENTERPRISE_DOWN = "enterprise_down", _("Enterprise Down")
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Most urgent first; queues sort on this rank (stored on the case for an index).
SEVERITY_RANK = {
    Severity.ENTERPRISE_DOWN: 0,
    Severity.CRITICAL: 1,
    Severity.HIGH: 2,
    Severity.MEDIUM: 3,
    Severity.LOW: 4,
}


class RequestType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    LICENSE_KEY = "license_key", _("Permission to generate a license key")
    NEW_VERSION = "new_version", _("New version")
    ACCESS_CREDENTIALS = "access_credentials", _("Access credentials")
    FEATURE_REQUEST = "feature_request", _("Wish (feature request)")
    CONSULTATION = "consultation", _("Consultation (paid)")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    SOLUTION_PROPOSED = "solution_proposed", _("Solution proposed")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED)
AWAITING_CUSTOMER_STATUSES = (Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED)


class EscalationLevel(models.TextChoices):
    NONE = "none", _("None")
    M1 = "M1", _("M1 — direct manager")
    M2 = "M2", _("M2 — support management")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    FEEDBACK_FORM = "feedback_form", _("Feedback form")
    SYSTEM = "system", _("System")


class CloseReason(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    AUTO_CLOSED = "auto_closed", _("Closed after 5 business days without reply")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def format_case_number(pk: int) -> str:
    return f"C-{pk:06d}"


def parse_case_number(number: str) -> int | None:
    """The primary key behind a case number, or None when it is not one we issue."""
    match = CASE_NUMBER_RE.match(number or "")
    if not match:
        return None
    pk = int(match.group(1))
    # Only the canonical spelling names a case: "C-0000123" is not "C-000123".
    return pk if format_case_number(pk) == number else None


# "Enterprise Down first": the leading sort key of the staff queues that are not sorted by
# severity_rank (selectors.staff_queue, page_selectors.edown_first). Indexed below.
EDOWN_FIRST = DbCase(When(severity_rank=0, then=Value(0)), default=Value(1))


class Case(models.Model):
    """A support case. Its number is derived from its primary key, which the database
    allocates safely under concurrency (``C-000123`` is the case with id 123).

    Text search (PostgreSQL): the table also has a column ``search_vector``, a stored
    generated ``tsvector`` over title + product (weight A) and the description's first
    100,000 characters (weight B), with the 'simple' configuration (no stemming: cases are
    written in five languages), indexed by GIN ``case_search``. It is not a model field:
    PostgreSQL computes it on every INSERT/UPDATE and COPY, whatever writes the row
    (services, admin, factories, the bench seeder), and Django never reads or writes it.
    Defined by migration 0006_case_search_vector; queried by ``selectors.search_cases``.
    SQLite has no such column and searches with LIKE.
    """

    # No single-column indexes on these two: "case_org_status"/"case_org_recent" and
    # "case_requester" lead with them, and every index costs each status change an insert.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases", db_index=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_cases", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    description_html = models.TextField(blank=True)
    product = models.CharField(_("product"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    request_type = models.CharField(_("request type"), max_length=32, choices=RequestType.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    escalation_level = models.CharField(
        _("escalation level"), max_length=4, choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # When the case entered its current status: the auto-close clock starts here.
    status_changed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=16, choices=CloseReason.choices, blank=True)
    # Denormalized counters, kept by the services that write messages and time entries.
    message_count = models.PositiveIntegerField(default=0)
    # Of which internal notes: customers are told ``message_count - internal_message_count``.
    internal_message_count = models.PositiveIntegerField(default=0)
    spent_minutes = models.PositiveIntegerField(default=0)
    billable_minutes = models.PositiveIntegerField(default=0)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_staff_reply_at = models.DateTimeField(null=True, blank=True)
    # SLA clocks (cases/services/clocks.py): the due times, the earliest one still
    # pending (for the "SLA at risk" queue) and when its breach was alerted.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_update_due_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_breach_alerted_at = models.DateTimeField(null=True, blank=True)
    # Auto-close clock, set when the case starts waiting for the customer.
    auto_close_at = models.DateTimeField(null=True, blank=True)
    auto_close_reminder_at = models.DateTimeField(null=True, blank=True)
    auto_close_reminded_at = models.DateTimeField(null=True, blank=True)
    # Software Performance Report linked at M2, and whether it was escalated.
    spr_number = models.CharField(_("SPR number"), max_length=32, blank=True)
    spr_escalated = models.BooleanField(_("SPR escalated"), default=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            # Customer Case Tracker: an organization's cases, newest first, by status.
            models.Index(fields=["organization", "status", "-id"], name="case_org_status"),
            # Covering (PostgreSQL): the tracker's total hours are read from the index alone.
            models.Index(fields=["organization", "-id"], name="case_org_recent", include=["spent_minutes"]),
            models.Index(fields=["requester", "-id"], name="case_requester"),
            # Staff queues over open cases only (partial indexes stay small as cases close).
            models.Index(
                fields=["severity_rank", "-id"],
                name="case_open_queue",
                condition=Q(status__in=["new", "open", "waiting_on_customer", "solution_proposed"]),
            ),
            models.Index(
                fields=["assignee", "severity_rank", "-id"],
                name="case_open_by_assignee",
                condition=Q(status__in=["new", "open", "waiting_on_customer", "solution_proposed"]),
            ),
            models.Index(
                fields=["auto_close_at"],
                name="case_auto_close_due",
                condition=Q(status__in=["waiting_on_customer", "solution_proposed"]),
            ),
            models.Index(
                fields=["auto_close_reminder_at"],
                name="case_auto_close_reminder_due",
                condition=Q(
                    status__in=["waiting_on_customer", "solution_proposed"], auto_close_reminded_at__isnull=True
                ),
            ),
            models.Index(
                fields=["sla_due_at"],
                name="case_sla_due",
                condition=Q(status__in=["new", "open", "waiting_on_customer", "solution_proposed"]),
            ),
            # The "SLA at risk" queue in its order (E-Down first, earliest due, newest):
            # the page is read in index order and the scan stops after one page.
            models.Index(
                EDOWN_FIRST,
                F("sla_due_at"),
                F("id").desc(),
                name="case_sla_queue",
                condition=Q(status__in=["new", "open", "waiting_on_customer", "solution_proposed"]),
            ),
            # The "All cases" queue in its order (E-Down first, newest): no sort of the table.
            models.Index(EDOWN_FIRST, F("id").desc(), name="case_all_queue"),
            models.Index(fields=["status", "-id"], name="case_status"),
            # API filter status + severity ordered by last update.
            models.Index(fields=["status", "severity", "-updated_at"], name="case_status_severity_updated"),
            # Managers' figures: cases created and closed per period.
            models.Index(fields=["created_at"], name="case_created"),
            models.Index(fields=["closed_at"], name="case_closed", condition=Q(closed_at__isnull=False)),
            models.Index(fields=["tier", "-id"], name="case_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return format_case_number(self.pk) if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def spent_hours(self) -> float:
        return round(self.spent_minutes / 60, 2)


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="case_messages"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(blank=True)
    internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="message_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Random, non-guessable storage names; the user's file name is kept in `name` only.
    suffix = PurePath(filename).suffix.lower()[:16]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    CREATED = "created", _("Case logged")
    STATUS = "status", _("Status changed")
    SEVERITY = "severity", _("Severity changed")
    ASSIGNED = "assigned", _("Assigned")
    TIER = "tier", _("Tier changed")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Internal note")
    ATTACHMENT = "attachment", _("Attachment added")
    TIME = "time", _("Time logged")
    ESCALATION = "escalation", _("Escalated")
    ESCALATION_ACK = "escalation_ack", _("Escalation acknowledged")
    EDOWN = "edown", _("Enterprise Down declared")
    SPR = "spr", _("SPR linked")
    DOWNLOAD = "download", _("Attachment downloaded")


class CaseEvent(AppendOnlyModel):
    """The audit trail: one row per change, written in the change's transaction.

    Rows are only ever inserted by the services: the model refuses updates and deletes
    (``AppendOnlyModel``), and on PostgreSQL so does a trigger, except that the rows go
    with their case if a whole case is ever deleted (nothing in the application does).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Customers see public events only (not internal notes, assignments' internals, etc.).
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="event_case_time"),
            models.Index(fields=["case"], name="event_tier_change", condition=Q(kind="tier")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class TimeEntry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="time_entries")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    minutes = models.PositiveIntegerField(_("minutes"))
    billable = models.BooleanField(_("billable"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="time_case_time")]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="time_minutes_positive")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.minutes} min"
