"""Writes about people and organizations: provisioning, availability, the active organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from notifications.models import OutboxEmail
from notifications.services import queue_email

from .audit import record_audit
from .models import STAFF_ROLES, AuditAction, Language, Membership, Organization, Plan, Role, User
from .permissions import can_provision
from .selectors import SESSION_ACTIVE_ORG


def _require_admin(actor: User) -> None:
    if not can_provision(actor):
        raise PermissionDenied(_("Only administrators may provision organizations and users."))


@transaction.atomic
def create_organization(
    *,
    actor: User,
    name: str,
    customer_number: str,
    country: str,
    timezone: str,
    plan: str = Plan.BASIC,
    production: bool = False,
    maintenance_until: date | None = None,
    partner: Organization | None = None,
    language: str = Language.EN,
    account_manager: User | None = None,
) -> Organization:
    _require_admin(actor)
    customer_number = customer_number.strip()
    if Organization.objects.filter(customer_number__iexact=customer_number).exists():
        raise ValidationError({"customer_number": _("This customer number is already in use.")})
    if account_manager is not None and not account_manager.is_support_staff:
        raise ValidationError({"account_manager": _("The account manager must be a member of staff.")})
    organization = Organization(
        name=name.strip(),
        customer_number=customer_number,
        plan=plan,
        production=production,
        maintenance_until=maintenance_until,
        partner=partner,
        country=country.upper(),
        timezone=timezone,
        language=language,
        account_manager=account_manager,
    )
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:  # a concurrent insert of the same number
        raise ValidationError({"customer_number": _("This customer number is already in use.")}) from exc
    return organization


@dataclass(frozen=True)
class MembershipSpec:
    organization: Organization
    is_primary: bool = False


@transaction.atomic
def create_user(
    *,
    actor: User,
    email: str,
    password: str,
    role: str,
    name: str = "",
    language: str = Language.EN,
    timezone: str = "UTC",
    tier: str = "",
    manager: User | None = None,
    memberships: list[MembershipSpec] | None = None,
) -> User:
    _require_admin(actor)
    memberships = memberships or []
    email = email.strip().lower()
    errors: dict[str, Any] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("A user with this e-mail address already exists.")
    is_staff_role = role in STAFF_ROLES
    if manager is not None and not manager.is_support_staff:
        errors["manager"] = _("The manager must be a member of staff.")
    if not is_staff_role:
        if tier:
            errors["tier"] = _("Only support staff have a tier.")
        if manager is not None:
            errors["manager"] = _("Only support staff have a manager.")
        if not memberships:
            errors["memberships"] = _("A customer belongs to at least one organization.")
        elif sum(1 for m in memberships if m.is_primary) > 1:
            errors["memberships"] = _("A user has exactly one primary association.")
        elif len({m.organization.pk for m in memberships}) != len(memberships):
            errors["memberships"] = _("The same organization is listed twice.")
    elif memberships:
        errors["memberships"] = _("Support staff do not belong to customer organizations.")
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        name=name.strip(),
        language=language,
        timezone=timezone,
        role=role,
        tier=tier if is_staff_role else "",
        manager=manager,
        is_staff=role == Role.ADMIN,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if memberships:
        has_primary = any(m.is_primary for m in memberships)
        for index, spec in enumerate(memberships):
            membership = Membership.objects.create(
                user=user,
                organization=spec.organization,
                # The first one is primary when none is marked: every customer has one.
                is_primary=spec.is_primary or (not has_primary and index == 0),
            )
            audit_membership(AuditAction.MEMBERSHIP_ADDED, membership, actor=actor)
    return user


def audit_membership(
    action: str, membership: Membership, *, actor: User | None = None, request: Any = None, via: str = ""
) -> None:
    """One audit row for a membership added, changed or removed (services and the admin)."""
    detail: dict[str, Any] = {
        "user": membership.user.email,
        "organization": membership.organization.customer_number,
        "is_primary": membership.is_primary,
    }
    if via:
        detail["via"] = via
    record_audit(action, actor=actor, request=request, object_type="membership", object_id=membership.pk, detail=detail)


@transaction.atomic
def add_membership(*, actor: User, user: User, organization: Organization, is_primary: bool = False) -> Membership:
    _require_admin(actor)
    if user.is_support_staff:
        raise ValidationError({"user": _("Support staff do not belong to customer organizations.")})
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"organization": _("The user already belongs to this organization.")})
    has_primary = Membership.objects.filter(user=user, is_primary=True).exists()
    if is_primary and has_primary:
        raise ValidationError({"is_primary": _("A user has exactly one primary association.")})
    membership = Membership.objects.create(
        user=user, organization=organization, is_primary=is_primary or not has_primary
    )
    audit_membership(AuditAction.MEMBERSHIP_ADDED, membership, actor=actor)
    return membership


@transaction.atomic
def set_availability(*, actor: User, user: User, available: bool) -> User:
    if not (can_provision(actor) or actor.pk == user.pk and actor.is_support_staff):
        raise PermissionDenied(_("Only administrators or the person themselves may change availability."))
    user.available = available
    user.save(update_fields=["available"])
    return user


@transaction.atomic
def update_preferences(
    *, user: User, name: str | None = None, language: str | None = None, timezone: str | None = None
) -> User:
    if name is not None:
        user.name = name.strip()
    if language is not None:
        user.language = language
    if timezone is not None:
        user.timezone = timezone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "language", "timezone"])
    return user


@transaction.atomic
def switch_active_organization(*, user: User, organization: Organization, session: Any = None) -> Organization:
    """Make ``organization`` the one the user acts for; it must be one of theirs."""
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"organization": _("You are not a member of this organization.")})
    user.active_organization = organization
    user.save(update_fields=["active_organization"])
    if session is not None:
        session[SESSION_ACTIVE_ORG] = organization.pk
    return organization


# --- Password reset -------------------------------------------------------------------
# At most this many reset mails per account and hour: a stranger cannot flood somebody's
# mailbox, and the page answers the same either way (nothing tells that a mail was held).
PASSWORD_RESET_MAILS_PER_HOUR = 3


def password_was_reset(*, user: User) -> int:
    """A new password ends every API token issued under the old one; returns how many."""
    from rest_framework.authtoken.models import Token

    revoked, _ = Token.objects.filter(user=user).delete()
    return revoked


def password_reset_url(*, user: User, token_generator: Any = None) -> str:
    """The one-time link, on ``SITE_URL`` (never the request's host)."""

    token = (token_generator or default_token_generator).make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


def send_password_reset(*, user: User, token_generator: Any = None) -> bool:
    """Queue the reset mail for ``user`` in their language; False when held back by the
    hourly limit or when the account cannot sign in with a password."""
    if not user.is_active or not user.has_usable_password() or not user.email:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = OutboxEmail.objects.filter(template="password_reset", to=user.email, created_at__gte=since).count()
    if recent >= PASSWORD_RESET_MAILS_PER_HOUR:
        return False
    queue_email(
        to=user.email,
        template="password_reset",
        context={
            "recipient": user,
            "reset_url": password_reset_url(user=user, token_generator=token_generator),
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
        language=user.language or "en",
        tz=user.timezone or "UTC",
    )
    return True
