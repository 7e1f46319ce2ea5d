"""Logging a case: the Case Logger, the API and the phone desk all come through here."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.selectors import active_organization_for
from casetracker.markup import render_markdown

from ..models import SEVERITY_RANK, Case, Channel, EventKind, RequestType, Severity
from ..permissions import can_log_case
from .attachments import store_attachments, validate_uploads
from .audit import record_event
from .clocks import refresh_sla
from .mail import email_person

TITLE_MAX = 200


def _organization_to_log_for(
    person: User, organization: Organization | None, session: object = None
) -> Organization | None:
    """The organization ``person`` logs the case for: the one named if they are a member of
    it, else (none named) their active one, which is read from their memberships and needs
    no second check. None: not a member."""
    if organization is None:
        return active_organization_for(person, session)
    if Membership.objects.filter(user=person, organization=organization).exists():
        return organization
    return None


@transaction.atomic
def log_case(
    *,
    actor: User,
    title: str,
    description: str,
    severity: str,
    request_type: str,
    product: str = "",
    version: str = "",
    organization: Organization | None = None,
    requester: User | None = None,
    channel: str = Channel.WEB,
    files: Sequence[UploadedFile] = (),
    session: object = None,
) -> Case:
    """Open a case. Customers log for one of their organizations (default: the active
    one); staff log on a customer's behalf (a phone call) naming the requester."""
    if not can_log_case(actor):
        raise PermissionDenied(_("You may not log cases."))
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    description = (description or "").strip()
    if not title:
        errors["title"] = _("Give the case a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is limited to %(n)d characters.") % {"n": TITLE_MAX}
    if not description:
        errors["description"] = _("Describe the problem or the request.")
    if severity == Severity.ENTERPRISE_DOWN:
        errors["severity"] = _(
            "Enterprise Down cannot be chosen when a case is logged: log the case, then declare "
            "Enterprise Down on it from the Case Tracker (or ask the engineer on the phone)."
        )
    elif severity not in Severity.values:
        errors["severity"] = _("Choose a severity: critical, high, medium or low.")
    if request_type not in RequestType.values:
        errors["request_type"] = _("Choose a request type.")
    if errors:
        raise ValidationError(errors)

    if actor.is_support_staff:
        if requester is None:
            raise ValidationError({"requester": _("Name the customer who is calling.")})
        if requester.is_support_staff:
            raise ValidationError({"requester": _("The requester must be a customer.")})
        organization = _organization_to_log_for(requester, organization)
        if organization is None:
            raise ValidationError({"organization": _("The requester is not a member of this organization.")})
    else:
        if requester is not None and requester.pk != actor.pk:
            raise ValidationError({"requester": _("Customers log cases in their own name.")})
        requester = actor
        organization = _organization_to_log_for(actor, organization, session)
        if organization is None:
            raise ValidationError({"organization": _("You can only log cases for your own organizations.")})
        if channel == Channel.PHONE:
            raise ValidationError({"channel": _("Only support staff record phone calls.")})

    if request_type == RequestType.CONSULTATION and organization.partner_id:
        partner = organization.partner
        raise ValidationError(
            {
                "request_type": _(
                    "Consultations are provided to direct customers only. Please contact your partner, "
                    "%(partner)s (%(number)s), for consulting services."
                )
                % {"partner": partner.name, "number": partner.customer_number}
            }
        )
    validate_uploads(files)

    now = timezone.now()
    case = Case(
        organization=organization,
        requester=requester,
        created_by=actor,
        title=title,
        description=description,
        description_html=render_markdown(description),
        product=(product or "").strip()[:100],
        version=(version or "").strip()[:50],
        request_type=request_type,
        severity=severity,
        severity_rank=SEVERITY_RANK[severity],
        channel=channel,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    refresh_sla(case)
    case.save()
    if files:
        store_attachments(case=case, message=None, files=files, uploader=actor, internal=False)
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.CREATED,
        after={"severity": severity, "request_type": request_type, "status": case.status},
    )
    email_person(person=requester, template="case_logged", case=case)
    return case
