"""Reads for escalation: routing targets and the managers' queues."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from accounts.models import MANAGEMENT_ROLES, Role, User
from cases.models import Status

from .models import Escalation


def _by_open_load(role: str) -> QuerySet[User]:
    """Available, active people with ``role``, fewest open escalations first (escalations
    routed to them on cases that are not closed), ties by lowest id."""
    return (
        User.objects.filter(role=role, available=True, is_active=True)
        .annotate(
            open_escalations=Count("escalations_routed", filter=~Q(escalations_routed__case__status=Status.CLOSED))
        )
        .order_by("open_escalations", "id")
    )


def least_loaded(role: str, *, exclude: User | None = None) -> User | None:
    queryset = _by_open_load(role)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.first()


def _usable(person: User | None, roles: frozenset[str] | set[str]) -> bool:
    return person is not None and person.is_active and person.available and person.role in roles


def m1_target(*, engineer: User | None) -> User | None:
    """M1: the assigned engineer's direct manager, else the least-loaded available manager."""
    direct = engineer.manager if engineer is not None else None
    if _usable(direct, MANAGEMENT_ROLES):
        return direct
    return least_loaded(Role.MANAGER)


def m2_target(*, m1_manager: User | None) -> User | None:
    """M2: the M1 manager's own manager when a director and available, else the
    least-loaded available director."""
    boss = m1_manager.manager if m1_manager is not None else None
    if _usable(boss, {Role.DIRECTOR}):
        return boss
    return least_loaded(Role.DIRECTOR)


def escalations_routed_to(user: User, *, open_only: bool = True) -> QuerySet[Escalation]:
    queryset = Escalation.objects.filter(manager=user).select_related(
        "case", "case__organization", "requested_by", "manager"
    )
    if open_only:
        queryset = queryset.exclude(case__status=Status.CLOSED)
    # Unacknowledged first, on every database (PostgreSQL sorts NULL last by default).
    return queryset.order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at")


def escalations_of(case_id: int) -> QuerySet[Escalation]:
    return Escalation.objects.filter(case_id=case_id).select_related("manager", "requested_by", "acknowledged_by")
