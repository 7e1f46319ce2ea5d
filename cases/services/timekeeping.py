"""Time spent on a case: what the engineer did, how long, and whether it is billed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Organization, User

from ..models import Case, Channel, EventKind, RequestType, TimeEntry
from ..permissions import can_work_case
from .audit import record_event
from .correspondence import lock_case

MAX_MINUTES_PER_ENTRY = 24 * 60


@transaction.atomic
def log_time(
    *,
    case: Case,
    actor: User,
    minutes: int,
    billable: bool | None = None,
    note: str = "",
    channel: str = Channel.WEB,
) -> TimeEntry:
    """Record work. Consultation time is billable unless said otherwise."""
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers log time."))
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError({"minutes": _("Enter a whole number of minutes greater than zero.")})
    if minutes > MAX_MINUTES_PER_ENTRY:
        raise ValidationError({"minutes": _("One entry covers at most 24 hours (1440 minutes).")})
    case = lock_case(case)
    if billable is None:
        billable = case.request_type == RequestType.CONSULTATION
    entry = TimeEntry.objects.create(
        case=case, engineer=actor, minutes=minutes, billable=billable, note=(note or "").strip()[:500]
    )
    Case.objects.filter(pk=case.pk).update(
        spent_minutes=F("spent_minutes") + minutes,
        billable_minutes=F("billable_minutes") + (minutes if billable else 0),
    )
    Organization.objects.filter(pk=case.organization_id).update(spent_minutes=F("spent_minutes") + minutes)
    record_event(
        case=case,
        actor=actor,
        channel=channel,
        kind=EventKind.TIME,
        after={"minutes": minutes, "billable": billable},
        note=entry.note,
        public=False,
    )
    return entry
