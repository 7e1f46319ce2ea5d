"""Reads about people and organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Membership, Organization, Role, User

SESSION_ACTIVE_ORG = "active_organization_id"


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("-is_primary", "organization__name")
    )


def organizations_of(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).order_by("name")


def primary_organization_for(user: User) -> Organization | None:
    membership = Membership.objects.filter(user=user, is_primary=True).select_related("organization").first()
    return membership.organization if membership else None


def chosen_organization_id(user: User, session: Any = None) -> Any:
    """The organization the user chose to act for, not yet checked against their
    memberships: the browser keeps it in the session (one tab's switch shows in the others
    of the same session); the API keeps it on the user."""
    chosen_id = session.get(SESSION_ACTIVE_ORG) if session is not None else None
    return user.active_organization_id if chosen_id is None else chosen_id


def active_organization_for(user: User, session: Any = None) -> Organization | None:
    """The organization the user acts for now: their choice (:func:`chosen_organization_id`)
    while they are still a member of it, else their primary association."""
    if not user.is_authenticated or user.is_support_staff:
        return None
    chosen_id = chosen_organization_id(user, session)
    if chosen_id is not None:
        membership = (
            Membership.objects.filter(user=user, organization_id=chosen_id).select_related("organization").first()
        )
        if membership:
            return membership.organization
    return primary_organization_for(user)


def staff_users() -> QuerySet[User]:
    return User.objects.exclude(role=Role.CUSTOMER).order_by("name", "email")


def engineers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[Role.ENGINEER, Role.MANAGER, Role.DIRECTOR]).order_by(
        "name", "email"
    )


def find_customers(*, query: str) -> QuerySet[User]:
    """Phone desk: customers by e-mail, name or customer number."""
    query = query.strip()
    if not query:
        return User.objects.none()
    return (
        User.objects.filter(role=Role.CUSTOMER, is_active=True)
        .filter(
            Q(email__icontains=query)
            | Q(name__icontains=query)
            | Q(memberships__organization__customer_number__iexact=query)
        )
        .distinct()
        .prefetch_related("memberships__organization")
        .order_by("email")[:25]
    )
