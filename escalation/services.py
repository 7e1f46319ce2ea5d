"""Management escalation (M1 → M2), Enterprise Down, feedback and SPR links.

Lock order: the case row first (``lock_case``), then escalation rows. Every function
here runs in one transaction, so two requests arriving at once are serialized by the
case's row lock and each steps the level once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Plan, Role, User
from cases.models import Case, Channel, EscalationLevel, EventKind, Severity, Status
from cases.permissions import can_work_case, is_case_customer, is_staff
from cases.services import SEVERITY_FIELDS, apply_severity, lock_case, record_event
from cases.services.mail import email_person
from casetracker.errors import Conflict

from .models import EDownCategory, EnterpriseDownDeclaration, Escalation, Feedback, Level
from .permissions import can_acknowledge, can_declare_enterprise_down, can_escalate
from .selectors import m1_target, m2_target

CUSTOMER_CHANNELS = {Channel.WEB, Channel.API}
ON_DUTY_LIMIT = 25


def _web_limit_message() -> str:
    return _(
        "This case has already been escalated to management. The web tracker allows one escalation: "
        "to escalate further, call support or use the feedback form."
    )


def _route(case: Case, level: str, m1: Escalation | None) -> User:
    if level == Level.M1:
        target = m1_target(engineer=case.assignee)
    else:
        latest_m2 = Escalation.objects.filter(case=case, level=Level.M2).select_related("manager").last()
        if latest_m2 is not None and latest_m2.manager.available and latest_m2.manager.is_active:
            target = latest_m2.manager  # a repeated M2 goes back to the same director
        else:
            target = m2_target(m1_manager=m1.manager if m1 else None)
    if target is None:
        raise Conflict(_("No manager is available right now: please call support."))
    return target


@transaction.atomic
def escalate_case(*, case: Case, actor: User, reason: str, channel: str | None = None) -> Escalation:
    """Step the case one management level up (none → M1 → M2) and tell the manager."""
    if not can_escalate(actor, case):
        raise PermissionDenied(_("You may not escalate this case."))
    staff = is_staff(actor)
    if channel is None:
        channel = Channel.PHONE if staff else Channel.WEB
    if not staff and channel == Channel.API:
        channel = Channel.WEB  # a customer's API call is their web tracker
    if not staff and channel not in CUSTOMER_CHANNELS | {Channel.FEEDBACK_FORM}:
        raise ValidationError({"channel": _("Only support staff record escalations made by phone.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case needs management attention.")})

    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it before escalating it."))
    current = case.escalation_level
    if current != EscalationLevel.NONE and channel == Channel.WEB:
        raise Conflict(_web_limit_message())
    level = Level.M1 if current == EscalationLevel.NONE else Level.M2
    # The M1 escalation routes an M2 and is told of it: read it once.
    m1 = (
        Escalation.objects.filter(case=case, level=Level.M1).select_related("manager__manager").first()
        if level == Level.M2
        else None
    )
    manager = _route(case, level, m1)
    escalation = Escalation.objects.create(
        case=case, level=level, channel=channel, requested_by=actor, reason=reason, manager=manager
    )
    case.escalation_level = level
    case.updated_at = timezone.now()
    case.save(update_fields=["escalation_level", "updated_at"])
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.ESCALATION,
        before=current,
        after=level,
        note=reason,
    )
    extra = {"escalation": escalation, "reason": reason}
    email_person(person=manager, template="escalation_manager", case=case, extra=extra)
    if level == Level.M2:
        told = {manager.pk}
        for person in (case.assignee, m1.manager if m1 else None):
            if person is not None and person.pk not in told:
                told.add(person.pk)
                email_person(person=person, template="escalation_m2_info", case=case, extra=extra)
    return escalation


@transaction.atomic
def acknowledge_escalation(*, escalation: Escalation, actor: User, channel: str = Channel.WEB) -> Escalation:
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related("case").get(pk=escalation.pk)
    if not can_acknowledge(actor, escalation):
        raise PermissionDenied(_("Only the manager this escalation was routed to can acknowledge it."))
    if escalation.acknowledged_at is not None:
        raise Conflict(_("This escalation has already been acknowledged."))
    escalation.acknowledged_at = timezone.now()
    escalation.acknowledged_by = actor
    escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record_event(
        case=escalation.case,
        actor=actor,
        channel=channel,
        kind=EventKind.ESCALATION_ACK,
        after={"escalation": escalation.pk, "level": escalation.level},
    )
    return escalation


def enterprise_down_refusals(case: Case) -> list[str]:
    """Why the case's organization may not declare Enterprise Down (empty: it may)."""
    organization = case.organization
    reasons = []
    if organization.plan != Plan.ENTERPRISE:
        reasons.append(_("Enterprise Down is reserved for organizations on the Enterprise support plan."))
    if not organization.production:
        reasons.append(_("Enterprise Down is reserved for software running in production."))
    if not organization.maintenance_active(timezone.localdate()):
        reasons.append(_("Enterprise Down needs active maintenance: the organization's maintenance has expired."))
    return reasons


def _validate_declaration(
    *,
    category: str,
    total_users: Any,
    affected_users: Any,
    actions_taken: str,
    down_since: Any,
    contact: dict[str, Any],
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if category not in EDownCategory.values:
        errors["category"] = [_("Choose one of the five Enterprise Down categories.")]
    if not isinstance(total_users, int) or isinstance(total_users, bool) or total_users < 1:
        errors["total_users"] = [_("Enter the total number of users of this production system (at least 1).")]
    if not isinstance(affected_users, int) or isinstance(affected_users, bool) or affected_users < 0:
        errors["affected_users"] = [_("Enter how many users are affected (0 or more).")]
    elif "total_users" not in errors and affected_users > total_users:
        errors["affected_users"] = [_("Affected users cannot exceed the total number of users.")]
    if not (actions_taken or "").strip():
        errors["actions_taken"] = [_("Say what was done to restore service (and any new contact details).")]
    if not isinstance(down_since, datetime):
        errors["down_since"] = [_("Give the date and time since when the system is down.")]
    elif down_since > timezone.now():
        errors["down_since"] = [_("“Down since” must be in the past.")]
    contact_errors: dict[str, list[str]] = {}
    for field, message in (
        ("name", _("Name the 24x7 contact person.")),
        ("phone", _("Give the contact person's phone number.")),
        ("email", _("Give the contact person's e-mail address.")),
    ):
        if not str(contact.get(field) or "").strip():
            contact_errors[field] = [message]
    if "email" not in contact_errors:
        try:
            validate_email(str(contact["email"]).strip())
        except ValidationError:
            contact_errors["email"] = [_("Enter a valid e-mail address.")]
    for field in ("on_site", "speaks_english"):
        if not isinstance(contact.get(field), bool):
            contact_errors[field] = [_("Answer yes or no.")]
    # Flat keys ("contact.phone"): Django's ValidationError takes one level of fields.
    errors.update({f"contact.{field}": messages for field, messages in contact_errors.items()})
    return errors


def on_duty_engineers() -> list[User]:
    return list(
        User.objects.filter(role=Role.ENGINEER, available=True, is_active=True)
        .select_related("manager")
        .order_by("tier", "id")[:ON_DUTY_LIMIT]
    )


@transaction.atomic
def declare_enterprise_down(
    *,
    case: Case,
    actor: User,
    category: str,
    total_users: int,
    affected_users: int,
    actions_taken: str,
    down_since: datetime,
    contact: dict[str, Any],
    channel: str = Channel.WEB,
) -> EnterpriseDownDeclaration:
    """Raise the case to Enterprise Down with the guide's questionnaire: the case tops
    every queue and the engineers and their managers are alerted at once."""
    if not can_declare_enterprise_down(actor, case):
        raise PermissionDenied(_("You may not declare Enterprise Down on this case."))
    if channel == Channel.PHONE and not is_staff(actor):
        raise ValidationError({"channel": _("Only support staff record phone calls.")})
    errors = _validate_declaration(
        category=category,
        total_users=total_users,
        affected_users=affected_users,
        actions_taken=actions_taken,
        down_since=down_since,
        contact=contact,
    )
    if errors:
        raise ValidationError(errors)
    case = lock_case(case)
    refusals = enterprise_down_refusals(case)
    if refusals:
        raise PermissionDenied(" ".join(refusals))
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it or log a new case before declaring Enterprise Down."))
    if case.severity == Severity.ENTERPRISE_DOWN:
        raise Conflict(_("Enterprise Down is already declared on this case."))
    now = timezone.now()
    EnterpriseDownDeclaration.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    declaration = EnterpriseDownDeclaration.objects.create(
        case=case,
        declared_by=actor,
        channel=channel,
        category=category,
        total_users=total_users,
        affected_users=affected_users,
        actions_taken=actions_taken.strip(),
        down_since=down_since,
        contact_name=str(contact["name"]).strip()[:150],
        contact_phone=str(contact["phone"]).strip()[:50],
        contact_pager=str(contact.get("pager") or "").strip()[:50],
        contact_email=str(contact["email"]).strip(),
        contact_on_site=contact["on_site"],
        contact_speaks_english=contact["speaks_english"],
    )
    before = case.severity
    apply_severity(case=case, severity=Severity.ENTERPRISE_DOWN)
    case.save(update_fields=SEVERITY_FIELDS)
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.EDOWN,
        before=before,
        after=Severity.ENTERPRISE_DOWN,
        note=declaration.get_category_display(),
    )
    engineers = [case.assignee] if case.assignee is not None else on_duty_engineers()
    told: set[int] = set()
    for person in engineers + [e.manager for e in engineers if e.manager is not None]:
        if person.pk not in told:
            told.add(person.pk)
            email_person(person=person, template="edown_alert", case=case, extra={"declaration": declaration})
    return declaration


@transaction.atomic
def submit_feedback(*, case: Case, author: User, message: str, escalate: bool) -> Feedback:
    """The feedback form: a word to support management, escalating one level if asked."""
    if not is_case_customer(author, case):
        raise PermissionDenied(_("Only the customer can send feedback on a case."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write your feedback.")})
    escalation = None
    if escalate:
        escalation = escalate_case(case=case, actor=author, reason=message, channel=Channel.FEEDBACK_FORM)
    feedback = Feedback.objects.create(
        case=case, author=author, message=message, escalate=escalate, escalation=escalation
    )
    if escalation is None:
        record_event(
            case=case,
            actor=author,
            channel=Channel.FEEDBACK_FORM,
            kind=EventKind.MESSAGE,
            after={"feedback": feedback.pk},
            note=message,
            public=True,
        )
        manager = m1_target(engineer=case.assignee)
        email_person(person=manager, template="feedback_received", case=case, extra={"feedback": feedback})
    return feedback


@transaction.atomic
def link_spr(*, case: Case, actor: User, spr_number: str, escalated: bool, channel: str = Channel.WEB) -> Case:
    """At M2, link the Software Performance Report and say whether it was escalated."""
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers link an SPR."))
    spr_number = (spr_number or "").strip()
    if not spr_number or len(spr_number) > 32:
        raise ValidationError({"spr_number": _("Enter the SPR number (up to 32 characters).")})
    case = lock_case(case)
    if case.escalation_level != EscalationLevel.M2:
        raise Conflict(_("An SPR is linked once the case is escalated to M2."))
    before = {"spr_number": case.spr_number, "escalated": case.spr_escalated}
    case.spr_number = spr_number
    case.spr_escalated = escalated
    case.updated_at = timezone.now()
    case.save(update_fields=["spr_number", "spr_escalated", "updated_at"])
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.SPR,
        before=before,
        after={"spr_number": spr_number, "escalated": escalated},
        public=False,
    )
    return case
