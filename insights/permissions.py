"""Who may see the managers' figures."""

from __future__ import annotations

from accounts.models import MANAGEMENT_ROLES, User


def can_see_figures(user: User) -> bool:
    """Managers, directors and administrators (and superusers); nobody else."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGEMENT_ROLES))
