"""The security audit log (``AuditEntry``): one service function writes every row.

What leaves a row, and from where:

- logins, successful, failed and refused by the throttle: ``accounts.login_throttle``
  (the browser form and the token endpoint);
- permission denials (403, and 404 on an object-scoped URL) answered to a signed-in user,
  in the browser or over the API: ``AuditDenialsMiddleware`` below, the one place both
  go through;
- escalations, acknowledgements, severity changes, Enterprise Down and attachment
  downloads: ``cases.services.audit.record_event`` (the case trail) copies them here;
- membership changes: ``accounts.services`` (provisioning API) and the user admin.

Rows are written in the caller's transaction: a change that rolls back leaves no row.
The table is append-only (``AppendOnlyModel``, and a PostgreSQL trigger).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .models import AuditAction, AuditEntry, User

# URL keyword arguments that name a tenant-scoped object: a 404 on such a URL is a
# denial (the object exists for someone else, or is being probed for).
SCOPED_KWARGS = {"number": "case", "attachment_id": "attachment", "pk": "object"}


def _client_ip(request: Any) -> str | None:
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def record_audit(
    action: str,
    *,
    actor: User | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: object = "",
    ip_address: str | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the security audit log.

    ``request`` supplies the address (and the actor, when signed in) if not given.
    """
    if request is not None:
        ip_address = ip_address or _client_ip(request)
        if actor is None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                actor = user
    if actor is not None and not actor.is_authenticated:
        actor = None
    if actor is not None and not actor_label:
        actor_label = actor.email
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=(actor_label or "").replace("\x00", "")[:254],
        object_type=object_type[:40],
        object_id=str(object_id if object_id is not None else "")[:64],
        ip_address=ip_address,
        detail=detail or {},
    )


class AuditDenialsMiddleware:
    """Record every 403 answered to a signed-in user, and every 404 on a URL naming an
    object (a case, an attachment, an organization…), whether the browser or the API
    (DRF hands its authenticated user back to the Django request) asked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (403, 404):
            self._record(request, response)
        return response

    def _record(self, request: HttpRequest, response: HttpResponse) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        match = getattr(request, "resolver_match", None)
        kwargs = dict(match.kwargs) if match is not None else {}
        scoped = [(key, kind) for key, kind in SCOPED_KWARGS.items() if key in kwargs]
        if response.status_code == 404 and not scoped:
            return  # a mistyped address, not an object someone was kept from
        object_type, object_id = ("", "")
        if scoped:
            key, object_type = scoped[0]
            object_id = kwargs[key]
            if object_type == "object" and match is not None:
                view = match.url_name or ""
                object_type = next((kind for kind in ("organization", "user") if kind in view), object_type)
        record_audit(
            AuditAction.ACCESS_DENIED,
            actor=user,
            object_type=object_type,
            object_id=object_id,
            request=request,
            detail={
                "status": response.status_code,
                "method": request.method,
                "path": request.path[:500],
                "view": match.view_name if match is not None else "",
                "kwargs": {key: str(value)[:64] for key, value in kwargs.items()},
            },
        )
