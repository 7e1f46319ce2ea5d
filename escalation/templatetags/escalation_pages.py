"""What the case page and the workspace show about escalation and Enterprise Down.

The case pages are built by ``cases.views``, which knows nothing of escalation; their
hooks (templates/cases/_customer_actions_extra.html and _staff_actions_extra.html) ask
these tags for the panel: the forms (fresh, or the ones the escalation views re-render
with errors, found in the page's context), the case's escalations and why Enterprise
Down may not be declared. Nothing is read that the page does not show: a case never
escalated costs no query, nor does one that is not Enterprise Down.
"""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Case, EscalationLevel, Severity, Status
from cases.permissions import can_work_case, is_staff
from cases.services.severity import CHANGEABLE

from ..forms import EscalateForm, SeverityForm, SprForm
from ..models import EnterpriseDownDeclaration, Escalation
from ..permissions import can_acknowledge
from ..selectors import escalations_of
from ..services import enterprise_down_refusals

register = template.Library()

SEVERITY_ID, ESCALATE_ID, SPR_ID = "sev_%s", "esc_%s", "spr_%s"


def _escalations(case: Case) -> list[Escalation]:
    # Every escalation steps the level: a case at "none" has none to read.
    if case.escalation_level == EscalationLevel.NONE:
        return []
    return list(escalations_of(case.pk))


def _edown_refusals(case: Case) -> list[str]:
    if case.status == Status.CLOSED or case.severity == Severity.ENTERPRISE_DOWN:
        return []
    return enterprise_down_refusals(case)


def _severity_form(context: template.Context, case: Case) -> SeverityForm:
    form = context.get("severity_form")
    if form is None:
        initial = case.severity if case.severity in CHANGEABLE else Severity.CRITICAL
        form = SeverityForm(auto_id=SEVERITY_ID, initial={"severity": initial})
    return form


@register.simple_tag(takes_context=True)
def customer_escalation_panel(context: template.Context) -> dict[str, Any]:
    """The case page: change severity, escalate (once from the web), Enterprise Down."""
    case: Case = context["case"]
    return {
        "escalations": [(item, False) for item in _escalations(case)],
        "edown_refusals": _edown_refusals(case),
        "severity_form": _severity_form(context, case),
        "escalate_form": context.get("escalate_form") or EscalateForm(auto_id=ESCALATE_ID),
    }


@register.simple_tag(takes_context=True)
def staff_escalation_panel(context: template.Context) -> dict[str, Any]:
    """The workspace: severity, phone escalation, E-Down for the customer, SPR, and the
    escalations with an Acknowledge button for the manager each was routed to."""
    case: Case = context["case"]
    user = context["user"]
    escalations = _escalations(case)
    return {
        "staff": is_staff(user),
        "can_work": can_work_case(user),
        "escalations": [(item, item.acknowledged_at is None and can_acknowledge(user, item)) for item in escalations],
        "edown_refusals": _edown_refusals(case),
        "severity_form": _severity_form(context, case),
        "escalate_form": context.get("escalate_form") or EscalateForm(auto_id=ESCALATE_ID),
        "spr_form": context.get("spr_form")
        or SprForm(auto_id=SPR_ID, initial={"spr_number": case.spr_number, "escalated": case.spr_escalated}),
    }


@register.simple_tag
def active_edown_declaration(case: Case) -> EnterpriseDownDeclaration | None:
    """The declaration behind an Enterprise Down case (None for any other severity)."""
    if case.severity != Severity.ENTERPRISE_DOWN:
        return None
    return (
        EnterpriseDownDeclaration.objects.filter(case_id=case.pk, ended_at__isnull=True).order_by("-created_at").first()
    )
