"""Assignment and functional escalation between tiers (L1 → L4)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier, User
from casetracker.errors import Conflict

from ..models import Case, Channel, EventKind, Status
from ..permissions import can_work_case
from .audit import record_event
from .correspondence import lock_case
from .mail import email_person


@transaction.atomic
def assign_case(*, case: Case, actor: User, assignee: User | None, channel: str = Channel.WEB) -> Case:
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers can assign cases."))
    if assignee is not None and (not assignee.is_active or not can_work_case(assignee)):
        raise ValidationError({"assignee": _("Cases can only be assigned to support engineers.")})
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it before assigning it."))
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    before = case.assignee.display_name if case.assignee else None
    case.assignee = assignee
    case.updated_at = timezone.now()
    case.save(update_fields=["assignee", "updated_at"])
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.ASSIGNED,
        before=before,
        after=assignee.display_name if assignee else None,
    )
    if assignee is not None and assignee.pk != actor.pk:
        email_person(person=assignee, template="case_assigned", case=case, extra={"assigned_by": actor})
    return case


@transaction.atomic
def bulk_assign(*, cases: Sequence[Case], actor: User, assignee: User | None, channel: str = Channel.WEB) -> int:
    """Assign several cases at once; all or nothing. Returns how many changed."""
    changed = 0
    for case in sorted(cases, key=lambda c: c.pk):  # one lock order: by id
        before = case.assignee_id
        updated = assign_case(case=case, actor=actor, assignee=assignee, channel=channel)
        changed += updated.assignee_id != before
    return changed


@transaction.atomic
def change_tier(*, case: Case, actor: User, tier: str, note: str, channel: str = Channel.WEB) -> Case:
    """Hand the case to another tier with a hand-over note for the next engineer."""
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers can change the tier."))
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier: L1, L2, L3 or L4.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write a hand-over note for the next tier.")})
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it before handing it over."))
    if case.tier == tier:
        raise ValidationError({"tier": _("The case is already at this tier.")})
    before = case.tier
    case.tier = tier
    case.updated_at = timezone.now()
    case.save(update_fields=["tier", "updated_at"])
    record_event(
        case=case, actor=actor, channel=channel, kind=EventKind.TIER, before=before, after=tier, note=note, public=False
    )
    return case
