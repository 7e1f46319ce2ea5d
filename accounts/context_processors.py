from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import chosen_organization_id, memberships_of


def organization_banner(request: HttpRequest) -> dict[str, Any]:
    """The active organization, the user's others, and the 'switch back' banner.

    One query: the active organization is picked from the memberships just read, by the
    rule of :func:`accounts.selectors.active_organization_for` (the choice of
    :func:`~accounts.selectors.chosen_organization_id` while still a member; else the
    primary association).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_support_staff:
        return {}
    memberships = list(memberships_of(user))
    primary = next((m.organization for m in memberships if m.is_primary), None)
    chosen = str(chosen_organization_id(user, getattr(request, "session", None)))
    active = next((m.organization for m in memberships if str(m.organization_id) == chosen), None) or primary
    return {
        "active_organization": active,
        "primary_organization": primary,
        "my_memberships": memberships,
        "show_primary_banner": bool(active and primary and active.pk != primary.pk),
    }
