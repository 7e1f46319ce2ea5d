"""Who may do what with a case: plain predicates; the caller answers 403 (or 404 when
the case is not visible at all, see selectors.get_case_for)."""

from __future__ import annotations

from accounts.models import ENGINEERING_ROLES, Role, User

from .models import Case
from .selectors import member_organization_ids


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_support_staff)


def can_log_case(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_work_case(user: User) -> bool:
    """Reply as support, request info, propose a solution, assign, change tier, log time."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in ENGINEERING_ROLES))


def can_write_internal_notes(user: User) -> bool:
    return is_staff(user)


def is_case_customer(user: User, case: Case) -> bool:
    """A member of the case's organization (not staff)."""
    return bool(
        user.is_authenticated and not user.is_support_staff and case.organization_id in member_organization_ids(user)
    )


def can_confirm(user: User, case: Case) -> bool:
    return is_case_customer(user, case)


def can_reopen(user: User, case: Case) -> bool:
    return is_case_customer(user, case) or can_work_case(user)


def can_see_billing(user: User, organization_id: int) -> bool:
    if is_staff(user):
        return True
    return bool(user.is_authenticated and organization_id in member_organization_ids(user))


def is_operator(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.OPERATOR)
