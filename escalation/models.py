"""Management escalations (M1, M2), Enterprise Down declarations and feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Channel


class Level(models.TextChoices):
    M1 = "M1", _("M1 — direct manager")
    M2 = "M2", _("M2 — support management")


class Escalation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("level"), max_length=2, choices=Level.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_escalations"
    )
    reason = models.TextField(_("reason"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("routed to"),
        on_delete=models.PROTECT,
        related_name="escalations_routed",
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["created_at", "id"]
        constraints = [
            # The level steps once: a case can never hold two M1 escalations, whatever
            # races the row lock would let through.
            models.UniqueConstraint(fields=["case"], condition=Q(level="M1"), name="escalation_one_m1_per_case"),
        ]
        indexes = [
            models.Index(fields=["manager", "acknowledged_at"], name="escalation_manager_ack"),
            models.Index(fields=["case", "created_at"], name="escalation_case_time"),
            models.Index(fields=["created_at"], name="escalation_created"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.level}"


class EDownCategory(models.TextChoices):
    """The five Enterprise Down categories of the vendor's support guide."""

    USERS_CANNOT_ACCESS = "users_cannot_access", _("Most end users cannot access the server software")
    SERVER_UNRESPONSIVE = (
        "server_unresponsive",
        _("The enterprise server does not respond or stops repeatedly, causing unacceptable or indefinite delays"),
    )
    VENDORS_CANNOT_ACCESS = "vendors_cannot_access", _("Suppliers cannot access the software for extended periods")
    # xgettext:no-python-format
    USER_PRODUCTIVITY_LOSS = "user_productivity_loss", _("End users' productivity has dropped by 80% or more")
    SERVER_PERFORMANCE_LOSS = (
        "server_performance_loss",
        # xgettext:no-python-format
        _("The enterprise server's performance causes a productivity drop of 80% or more"),
    )


class EnterpriseDownDeclaration(models.Model):
    """The questionnaire answered when a customer (or an engineer for them) declares
    Enterprise Down, with the 24x7 contact person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="edown_declarations")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=32, choices=EDownCategory.choices)
    total_users = models.PositiveIntegerField(_("total users"))
    affected_users = models.PositiveIntegerField(_("affected users"))
    actions_taken = models.TextField(_("actions taken to restore service"))
    down_since = models.DateTimeField(_("down since"))
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_phone = models.CharField(_("contact phone"), max_length=50)
    contact_pager = models.CharField(_("contact pager"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_on_site = models.BooleanField(_("contact is on site"))
    contact_speaks_english = models.BooleanField(_("contact speaks English"))
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a later declaration supersedes this one (the severity was lowered in between).
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Enterprise Down declaration")
        verbose_name_plural = _("Enterprise Down declarations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total_users__gte=1), name="edown_total_users_positive"),
            models.CheckConstraint(
                condition=Q(affected_users__lte=models.F("total_users")), name="edown_affected_within_total"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="edown_one_active_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} E-Down {self.get_category_display()}"


class Feedback(models.Model):
    """A message through the feedback form, optionally asking for escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("message"))
    escalate = models.BooleanField(_("escalate"), default=False)
    escalation = models.ForeignKey(Escalation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case.number} feedback"
