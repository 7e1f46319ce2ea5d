"""People and the customer organizations they belong to."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known IANA time zone."), params={"value": value})


def validate_country(value: str) -> None:
    if value not in dict(countries):
        raise ValidationError(_("“%(value)s” is not an ISO 3166 alpha-2 country code."), params={"value": value})


class Language(models.TextChoices):
    EN = "en", _("English")
    KO = "ko", _("Korean")
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    FR = "fr", _("French")
    RU = "ru", _("Russian")


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ENGINEER = "engineer", _("Engineer")
    OPERATOR = "operator", _("Operator")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.ENGINEER, Role.OPERATOR, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
# Roles that may work a case (reply, assign, change tier): everyone on staff but the
# phone-desk operator, who logs cases and records escalations.
ENGINEERING_ROLES = frozenset({Role.ENGINEER, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
MANAGEMENT_ROLES = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class Tier(models.TextChoices):
    L1 = "L1", _("L1 — first line")
    L2 = "L2", _("L2 — in-depth support")
    L3 = "L3", _("L3 — product experts")
    L4 = "L4", _("L4 — outside vendor")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_superuser=True, is_staff=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("direct manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    available = models.BooleanField(
        _("available"), default=True, help_text=_("An unavailable manager is skipped by routing.")
    )
    active_organization = models.ForeignKey(
        "Organization",
        verbose_name=_("active organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False, help_text=_("May log into the Django admin."))
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["role", "available"], name="user_role_available")]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
        if self.role == Role.CUSTOMER and self.tier:
            raise ValidationError({"tier": _("Only support staff have a tier.")})
        if self.manager_id and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A user cannot be their own manager.")})

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_support_staff(self) -> bool:
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return not self.is_support_staff

    @property
    def effective_role(self) -> str:
        return Role.ADMIN if self.is_superuser else self.role


class Plan(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    ENTERPRISE = "enterprise", _("Enterprise")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    customer_number = models.CharField(_("customer number"), max_length=32, unique=True)
    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices, default=Plan.BASIC)
    production = models.BooleanField(_("in production"), default=False)
    maintenance_until = models.DateField(_("maintenance until"), null=True, blank=True)
    partner = models.ForeignKey(
        "self",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("The partner that sells to and supports this customer, if any."),
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    business_hours_start = models.TimeField(_("business hours start"), default=datetime.time(9, 0))
    business_hours_end = models.TimeField(_("business hours end"), default=datetime.time(18, 0))
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_accounts",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The minutes logged on all its cases (cases.services.timekeeping keeps it in the same
    # transaction as each time entry): the Case Tracker's total without summing every case.
    spent_minutes = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(business_hours_end__gt=models.F("business_hours_start")),
                name="organization_business_hours_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_number})"

    def clean(self) -> None:
        super().clean()
        if self.partner_id and self.partner_id == self.pk:
            raise ValidationError({"partner": _("An organization cannot be its own partner.")})
        if (
            self.business_hours_start
            and self.business_hours_end
            and self.business_hours_end <= self.business_hours_start
        ):
            raise ValidationError({"business_hours_end": _("Business hours must end after they start.")})

    def maintenance_active(self, on: datetime.date | None = None) -> bool:
        """Maintenance runs through ``maintenance_until``, a day in the organization's timezone."""
        today = on or dj_timezone.localdate(timezone=zoneinfo.ZoneInfo(self.timezone))
        return self.maintenance_until is not None and self.maintenance_until >= today


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    is_primary = models.BooleanField(_("primary association"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_primary=True),
                name="membership_one_primary_per_user",
                violation_error_message=_("A user has exactly one primary association."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class LoginAttempt(models.Model):
    """One login attempt, kept for throttling and for the audit trail."""

    email = models.CharField(max_length=254, db_index=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    channel = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email", "created_at"], name="login_email_time"),
            models.Index(fields=["ip_address", "created_at"], name="login_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {'ok' if self.succeeded else 'failed'} {self.created_at:%Y-%m-%d %H:%M}"


class HistoryRewriteRefused(RuntimeError):
    """An audit row was about to be changed or deleted: history is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk writes that would rewrite audit rows (``update``, ``delete``,
    ``bulk_update``); inserts (``create``, ``bulk_create``) go through."""

    def update(self, **kwargs: object) -> int:
        raise HistoryRewriteRefused(f"{self.model._meta.label} rows are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise HistoryRewriteRefused(f"{self.model._meta.label} rows are never deleted.")

    def bulk_update(self, objs: object, fields: object, batch_size: int | None = None) -> int:
        raise HistoryRewriteRefused(f"{self.model._meta.label} rows are never updated.")


class AppendOnlyModel(models.Model):
    """A row that is written once: ``save()`` only inserts, ``delete()`` refuses.

    On PostgreSQL a trigger (accounts migration 0003) refuses UPDATE and DELETE of the
    same tables whatever code path issues them (raw SQL included).
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise HistoryRewriteRefused(f"{self._meta.label} rows are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise HistoryRewriteRefused(f"{self._meta.label} rows are never deleted.")


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login.succeeded", _("Login succeeded")
    LOGIN_FAILED = "login.failed", _("Login failed")
    LOGIN_REFUSED = "login.refused", _("Login refused: too many failures")
    ACCESS_DENIED = "access.denied", _("Access denied")
    CASE_ESCALATED = "case.escalated", _("Escalated")
    ESCALATION_ACKNOWLEDGED = "case.escalation_acknowledged", _("Escalation acknowledged")
    SEVERITY_CHANGED = "case.severity_changed", _("Severity changed")
    ENTERPRISE_DOWN = "case.enterprise_down", _("Enterprise Down declared")
    ATTACHMENT_DOWNLOADED = "attachment.downloaded", _("Attachment downloaded")
    MEMBERSHIP_ADDED = "membership.added", _("Membership added")
    MEMBERSHIP_CHANGED = "membership.changed", _("Membership changed")
    MEMBERSHIP_REMOVED = "membership.removed", _("Membership removed")
    USER_CHANGED = "user.changed", _("User's access changed")


class AuditEntry(AppendOnlyModel):
    """The security audit log: who did what to which object, from where, and when.

    Written only through ``accounts.audit.record_audit``; never updated or deleted.
    """

    at = models.DateTimeField(default=dj_timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who, as a string that outlives the account: the e-mail (or the one typed at login).
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["action", "at"], name="audit_action_time"),
            models.Index(fields=["actor", "at"], name="audit_actor_time"),
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_time"),
        ]

    def __str__(self) -> str:
        target = f" {self.object_type}:{self.object_id}" if self.object_type else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}{target}"
