"""The e-mail outbox: one row per e-mail, written in the transaction that causes it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed permanently")


class OutboxEmail(models.Model):
    to = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, default="en")
    # A reference for threading and the admin: which case the mail is about, if any.
    case_number = models.CharField(_("case"), max_length=32, blank=True, db_index=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # Events that must produce one mail at most (an auto-close reminder, a breach alert)
    # carry a key; a second queue_email with the same key returns the first row.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Rendered at delivery: a scheduled job that mails thousands (automatic closing) names
    # a registered context loader and its arguments instead of writing the text; the
    # worker renders the row in ``language`` and ``tz`` and clears ``context_loader``.
    context_loader = models.CharField(max_length=64, blank=True)
    context_args = models.JSONField(null=True, blank=True)
    tz = models.CharField(max_length=64, default="UTC")
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A claimed row belongs to one worker until this time; a sweep may re-claim it after.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
