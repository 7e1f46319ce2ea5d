"""Queue e-mails in the outbox; deliver them once.

``queue_email`` is called inside the business transaction that causes the mail: the row
commits or rolls back with the change. Delivery runs after commit (a Celery task), and a
periodic sweep picks up anything the broker lost.
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxEmail

logger = logging.getLogger(__name__)


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_domain()}>"


def _one_line(text: str) -> str:
    # A subject is one header line: no CR/LF can ever reach it (header injection).
    return " ".join(text.split())[:255]


def render_email(*, template: str, context: dict[str, Any], language: str, tz: str = "UTC") -> tuple[str, str, str]:
    """Render ``templates/emails/<template>.*`` in the recipient's language and timezone."""
    ctx = {"site_url": settings.SITE_URL, **context}
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(language), timezone.override(zone):
        subject = _one_line(render_to_string(f"emails/{template}.subject.txt", ctx))
        body_text = render_to_string(f"emails/{template}.body.txt", ctx)
        try:
            body_html = render_to_string(f"emails/{template}.body.html", ctx)
        except Exception:  # the HTML part is optional per template
            body_html = ""
    return subject, body_text, body_html


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "en",
    tz: str = "UTC",
    case_number: str = "",
    reply_to: str = "",
    in_reply_to: str = "",
    dedupe_key: str | None = None,
) -> OutboxEmail:
    """Write one outbox row and arrange its delivery after the surrounding commit."""
    if dedupe_key is not None:
        existing = OutboxEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    subject, body_text, body_html = render_email(template=template, context=context, language=language, tz=tz)
    row = OutboxEmail(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
        case_number=case_number,
        message_id=new_message_id(),
        reply_to=reply_to,
        in_reply_to=in_reply_to,
        dedupe_key=dedupe_key,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return OutboxEmail.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: enqueue_delivery(row.pk))
    return row


def enqueue_delivery(outbox_id: int) -> None:
    """Hand the row to a worker; if the broker is down, the sweep will find it later."""
    from .tasks import deliver_email_task

    try:
        deliver_email_task.apply_async(args=[outbox_id], retry=False)
    except Exception:
        logger.warning("outbox %s: broker unavailable, left for the sweep", outbox_id, exc_info=True)
