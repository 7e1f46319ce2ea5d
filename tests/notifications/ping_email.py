"""The ``ping`` e-mail: a test-only template (``templates/emails/ping.*`` beside this file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notifications.models import OutboxEmail
from notifications.services import new_message_id, queue_email, render_email

TEMPLATES_DIR = Path(__file__).parent / "templates"
CONTEXT = {"name": "Alice", "title": "Backups fail every night", "number": "C-1001"}


def queue_ping(**overrides: Any) -> OutboxEmail:
    """Queue a ping to Alice about case C-1001 in the current transaction."""
    arguments: dict[str, Any] = {
        "to": "alice@acme.example",
        "template": "ping",
        "case_number": "C-1001",
        **overrides,
        "context": {**CONTEXT, **overrides.get("context", {})},
    }
    return queue_email(**arguments)


def lost_ping(*, to: str = "alice@acme.example") -> OutboxEmail:
    """A committed ping whose hand-over to a worker never happened (the broker lost it)."""
    subject, body_text, body_html = render_email(template="ping", context=CONTEXT, language="en")
    return OutboxEmail.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template="ping",
        case_number="C-1001",
        message_id=new_message_id(),
    )
