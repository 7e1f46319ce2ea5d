"""``python manage.py send_outbox``: one outbox sweep by hand, for a host without a worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.selectors import outbox_status_counts
from notifications.services import sweep_outbox


class Command(BaseCommand):
    help = "Deliver the e-mails that are due now (one sweep of the outbox) and print the outbox's counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Deliver at most this many e-mails (default 500).")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        sent = sweep_outbox(limit=limit)
        counts = outbox_status_counts()
        self.stdout.write(
            f"Sent {sent} e-mail(s). Outbox: {counts['pending']} pending, {counts['sending']} sending, "
            f"{counts['sent']} sent, {counts['failed']} failed."
        )
