"""Who may do what with accounts: plain predicates; callers answer 403."""

from __future__ import annotations

from .models import Role, User


def can_provision(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))
