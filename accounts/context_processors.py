from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import active_organization_for, memberships_of


def organization_banner(request: HttpRequest) -> dict[str, Any]:
    """The active organization, the user's others, and the 'switch back' banner."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_support_staff:
        return {}
    memberships = list(memberships_of(user))
    active = active_organization_for(user, request.session)
    primary = next((m.organization for m in memberships if m.is_primary), None)
    return {
        "active_organization": active,
        "primary_organization": primary,
        "my_memberships": memberships,
        "show_primary_banner": bool(active and primary and active.pk != primary.pk),
    }
