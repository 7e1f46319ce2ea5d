"""The audit trail: one row per change, in the change's transaction."""

from __future__ import annotations

from typing import Any

from accounts.models import User

from ..models import Case, CaseEvent


def record_event(
    *,
    case: Case,
    actor: User | None,
    channel: str,
    kind: str,
    before: Any = None,
    after: Any = None,
    note: str = "",
    public: bool = True,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        channel=channel,
        kind=kind,
        before=before,
        after=after,
        note=note,
        public=public,
    )
