"""Changing a case's severity (critical … low). Enterprise Down has its own declaration
(escalation.services.declare_enterprise_down); lowering from it is staff work."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from casetracker.errors import Conflict

from ..models import SEVERITY_RANK, Case, Channel, EventKind, Severity, Status
from ..permissions import is_case_customer, is_staff
from .audit import record_event
from .clocks import SLA_FIELDS, refresh_sla
from .correspondence import lock_case
from .mail import email_person

SEVERITY_FIELDS = ["severity", "severity_rank", "updated_at", *SLA_FIELDS]
CHANGEABLE = [s for s in Severity.values if s != Severity.ENTERPRISE_DOWN]


def apply_severity(*, case: Case, severity: str) -> None:
    """Set the severity, its queue rank and the SLA clock it implies on a locked case
    (the caller saves ``SEVERITY_FIELDS``)."""
    case.severity = severity
    case.severity_rank = SEVERITY_RANK[severity]
    case.updated_at = timezone.now()
    refresh_sla(case)


@transaction.atomic
def change_severity(*, case: Case, actor: User, severity: str, reason: str, channel: str = Channel.WEB) -> Case:
    """Raise or lower the severity; the assigned engineer is told."""
    if not (is_staff(actor) or is_case_customer(actor, case)):
        raise PermissionDenied(_("You may not change this case's severity."))
    if severity == Severity.ENTERPRISE_DOWN:
        raise ValidationError(
            {
                "severity": _(
                    "Enterprise Down is declared with its questionnaire: use “Declare Enterprise Down” on the "
                    "case (POST /api/v1/cases/{number}/edown/)."
                )
            }
        )
    if severity not in CHANGEABLE:
        raise ValidationError({"severity": _("Choose a severity: critical, high, medium or low.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the severity changes.")})
    if channel == Channel.PHONE and not is_staff(actor):
        raise ValidationError({"channel": _("Only support staff record phone calls.")})
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it before changing its severity."))
    if case.severity == severity:
        raise ValidationError({"severity": _("The case already has this severity.")})
    if case.severity == Severity.ENTERPRISE_DOWN and not is_staff(actor):
        raise PermissionDenied(
            _("Support lowers the severity of an Enterprise Down case once a working system is restored.")
        )
    before = case.severity
    apply_severity(case=case, severity=severity)
    case.save(update_fields=SEVERITY_FIELDS)
    record_event(
        case=case, actor=actor, channel=channel, kind=EventKind.SEVERITY, before=before, after=severity, note=reason
    )
    if case.assignee_id and case.assignee_id != actor.pk:
        email_person(
            person=case.assignee,
            template="severity_changed",
            case=case,
            extra={"before": Severity(before).label, "reason": reason, "changed_by": actor},
        )
    return case
