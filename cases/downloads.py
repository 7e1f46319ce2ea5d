"""Attachment downloads: only through a permission check, always as a download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from .models import Channel, EventKind
from .selectors import get_attachment_for
from .services import record_event

# Types a browser may be told; anything else (HTML, SVG, XML, scripts) is served as
# opaque bytes. Every download is `attachment` + nosniff + a sandboxing CSP anyway.
SAFE_CONTENT_TYPES = {
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/json",
}


@login_required
@require_GET
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_attachment_for(request.user, attachment_id)
    content_type = attachment.content_type if attachment.content_type in SAFE_CONTENT_TYPES else None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    record_event(
        case=attachment.case,
        actor=request.user,
        channel=Channel.WEB,
        kind=EventKind.DOWNLOAD,
        after={"attachment": attachment.pk, "name": attachment.name},
        public=False,
    )
    return response
