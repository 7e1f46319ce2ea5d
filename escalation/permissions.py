"""Who may escalate, declare Enterprise Down and acknowledge: plain predicates."""

from __future__ import annotations

from accounts.models import MANAGEMENT_ROLES, User
from cases.models import Case
from cases.permissions import is_case_customer, is_staff

from .models import Escalation


def can_escalate(user: User, case: Case) -> bool:
    return is_staff(user) or is_case_customer(user, case)


def can_declare_enterprise_down(user: User, case: Case) -> bool:
    return is_staff(user) or is_case_customer(user, case)


def can_acknowledge(user: User, escalation: Escalation) -> bool:
    """The manager the escalation was routed to (or an admin standing in)."""
    return bool(
        user.is_authenticated
        and (escalation.manager_id == user.pk or user.is_superuser or user.role == "admin")
        and (user.is_superuser or user.role in MANAGEMENT_ROLES)
    )


def can_see_escalation_queue(user: User) -> bool:
    """Managers, directors and admins see the escalations routed to them."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGEMENT_ROLES))
