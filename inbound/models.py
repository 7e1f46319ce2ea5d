"""Every e-mail that came in, kept raw until it is handled, and addresses that bounce."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Message


class Source(models.TextChoices):
    PIPE = "pipe", _("MTA pipe")
    IMAP = "imap", _("IMAP mailbox")
    WEBHOOK = "webhook", _("Inbound webhook")


class Disposition(models.TextChoices):
    REPLY = "reply", _("Reply on a case")
    NEW_CASE = "new_case", _("New case")
    NOISE = "noise", _("Noise (never answered)")
    QUARANTINE = "quarantine", _("Quarantine")
    DISCARDED = "discarded", _("Discarded")
    ATTACHED = "attached", _("Attached to a case")


class Reason(models.TextChoices):
    # Quarantine (API.md "Inbound e-mail")
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
    NOT_A_MEMBER = "not_a_member", _("Sender outside the case's organization")
    BAD_TOKEN = "bad_token", _("Forged or expired reply address")
    NO_SENDER = "no_sender", _("No sender")
    MALFORMED = "malformed", _("Cannot be read as an e-mail")
    # Quarantine, beyond API.md
    NOT_A_CUSTOMER = "not_a_customer", _("Sender is support staff")
    CASE_CLOSED = "case_closed", _("Reply to a closed case")
    TOO_LARGE = "too_large", _("Larger than the size limit")
    TOO_MANY_ATTACHMENTS = "too_many_attachments", _("Too many attachments")
    REFUSED = "refused", _("Refused by the case rules")
    FAILED = "failed", _("Processing failed")
    # Stored, not yet routed (a crash in between leaves it here, visible to operators).
    UNPROCESSED = "unprocessed", _("Not processed yet")
    # Noise kinds
    BOUNCE = "bounce", _("Bounce (delivery failure)")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BULK = "bulk", _("Bulk mail")
    MAILING_LIST = "mailing_list", _("Mailing list")
    OWN_ADDRESS = "own_address", _("From our own address (a loop)")


def raw_mail_path(instance: InboundMessage, filename: str) -> str:
    return f"inbound/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundMessage(models.Model):
    """One received e-mail. The raw bytes stay in storage; ``disposition`` says where
    the mail went and ``reason`` why (for quarantine and noise)."""

    raw = models.FileField(_("original"), upload_to=raw_mail_path, max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    # "" when the mail has none; then the raw bytes' sha256 identifies it.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    disposition = models.CharField(
        _("disposition"), max_length=16, choices=Disposition.choices, default=Disposition.QUARANTINE
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    # The logged reason in words (which limit, which error), for the operator.
    detail = models.TextField(_("detail"), blank=True)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_message = models.ForeignKey(
        Message, verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="inbound_unique_message_id"
            ),
            models.UniqueConstraint(fields=["sha256"], condition=Q(message_id=""), name="inbound_unique_raw"),
        ]
        indexes = [
            models.Index(fields=["disposition", "-received_at"], name="inbound_by_disposition"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject or '(no subject)'}"

    @property
    def is_quarantined(self) -> bool:
        return self.disposition == Disposition.QUARANTINE


class FailingAddress(models.Model):
    """An address our mail bounced from (a delivery-status report said it failed)."""

    email = models.CharField(_("e-mail address"), max_length=254, unique=True)
    bounce_count = models.PositiveIntegerField(_("bounces"), default=0)
    first_bounce_at = models.DateTimeField(_("first bounce"), default=timezone.now)
    last_bounce_at = models.DateTimeField(_("last bounce"), default=timezone.now)
    last_status = models.CharField(_("last status"), max_length=32, blank=True)
    last_diagnostic = models.TextField(_("last diagnostic"), blank=True)
    last_report = models.ForeignKey(
        InboundMessage,
        verbose_name=_("last report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")
        ordering = ["-last_bounce_at"]

    def __str__(self) -> str:
        return self.email
