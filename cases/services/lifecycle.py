"""The status lifecycle (API.md "Cases"): request info, propose a solution, confirm,
withdraw, reopen. An action the current status does not allow answers 409."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from casetracker.errors import Conflict

from ..models import Case, Channel, CloseReason, Status
from ..permissions import can_reopen, can_work_case, is_case_customer
from .correspondence import add_message, lock_case, set_status
from .mail import email_person

REOPEN_WINDOW = timedelta(days=30)


def _require_worker(actor: User) -> None:
    if not can_work_case(actor):
        raise PermissionDenied(_("Only support engineers can do this."))


@transaction.atomic
def request_info(*, case: Case, actor: User, body: str, channel: str = Channel.WEB) -> Case:
    """Ask the customer for something: a public message, then wait for them."""
    _require_worker(actor)
    message = add_message(
        case=case, author=actor, body=body, channel=channel, notify=False, next_status=Status.WAITING_ON_CUSTOMER
    )
    case = lock_case(case)
    email_person(person=case.requester, template="info_requested", case=case, extra={"message": message})
    return case


@transaction.atomic
def propose_solution(*, case: Case, actor: User, body: str, channel: str = Channel.WEB) -> Case:
    _require_worker(actor)
    message = add_message(
        case=case, author=actor, body=body, channel=channel, notify=False, next_status=Status.SOLUTION_PROPOSED
    )
    case = lock_case(case)
    email_person(person=case.requester, template="solution_proposed", case=case, extra={"message": message})
    return case


def close_case(*, case: Case, actor: User | None, channel: str, reason: str, note: str = "") -> Case:
    """Close a locked case (callers hold the lock) and tell the requester."""
    set_status(case=case, actor=actor, channel=channel, status=Status.CLOSED, note=note)
    case.closed_at = case.status_changed_at
    case.close_reason = reason
    case.save()
    email_person(person=case.requester, template="case_closed", case=case)
    return case


@transaction.atomic
def confirm_solution(*, case: Case, actor: User, channel: str = Channel.WEB) -> Case:
    """The customer accepts the proposed solution: work stops, the case closes."""
    if not is_case_customer(actor, case):
        raise PermissionDenied(_("Only the customer can confirm a solution."))
    case = lock_case(case)
    if case.status != Status.SOLUTION_PROPOSED:
        raise Conflict(_("There is no proposed solution to confirm on this case."))
    return close_case(case=case, actor=actor, channel=channel, reason=CloseReason.CONFIRMED)


@transaction.atomic
def withdraw_case(*, case: Case, actor: User, reason: str = "", channel: str = Channel.WEB) -> Case:
    """The customer no longer needs help: close it as withdrawn."""
    if not is_case_customer(actor, case):
        raise PermissionDenied(_("Only the customer can withdraw a case."))
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is already closed."))
    return close_case(case=case, actor=actor, channel=channel, reason=CloseReason.WITHDRAWN, note=reason.strip())


@transaction.atomic
def reopen_case(*, case: Case, actor: User, reason: str, channel: str = Channel.WEB) -> Case:
    if not can_reopen(actor, case):
        raise PermissionDenied(_("You may not reopen this case."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    case = lock_case(case)
    if case.status != Status.CLOSED:
        raise Conflict(_("Only a closed case can be reopened."))
    if case.closed_at and timezone.now() - case.closed_at > REOPEN_WINDOW:
        raise Conflict(_("This case was closed more than 30 days ago: please log a new case and mention this one."))
    set_status(case=case, actor=actor, channel=channel, status=Status.OPEN, note=reason)
    case.save()
    if case.assignee_id and case.assignee_id != actor.pk:
        email_person(person=case.assignee, template="case_reopened", case=case, extra={"reason": reason})
    return case
