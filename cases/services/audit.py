"""The audit trail: one row per change, in the change's transaction."""

from __future__ import annotations

from typing import Any

from accounts.audit import record_audit
from accounts.models import AuditAction, User

from ..models import Case, CaseEvent, EventKind

# Case events that matter to security reviews are copied to the security audit log.
AUDITED_KINDS = {
    EventKind.ESCALATION: AuditAction.CASE_ESCALATED,
    EventKind.ESCALATION_ACK: AuditAction.ESCALATION_ACKNOWLEDGED,
    EventKind.SEVERITY: AuditAction.SEVERITY_CHANGED,
    EventKind.EDOWN: AuditAction.ENTERPRISE_DOWN,
    EventKind.DOWNLOAD: AuditAction.ATTACHMENT_DOWNLOADED,
}


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
    event = CaseEvent.objects.create(
        case=case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        channel=channel,
        kind=kind,
        before=before,
        after=after,
        note=note,
        public=public,
    )
    if kind in AUDITED_KINDS:
        downloaded = kind == EventKind.DOWNLOAD and isinstance(after, dict)
        record_audit(
            AUDITED_KINDS[kind],
            actor=event.actor,
            object_type="attachment" if downloaded else "case",
            object_id=after["attachment"] if downloaded else case.number,
            detail={"case": case.number, "event": event.pk, "channel": channel, "before": before, "after": after},
        )
    return event
