"""``python manage.py poll_imap``: take in what waits in the support mailbox (IMAP_*)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inbound.services import ImapError, poll_imap


class Command(BaseCommand):
    help = "Fetch waiting mail from the IMAP mailbox, take it in, and move it to the processed folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="At most this many mails (default IMAP_BATCH).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = poll_imap(batch=options["batch"])
        except ImapError as error:
            raise CommandError(f"poll_imap: {error}") from error
        summary = ", ".join(f"{key} {count}" for key, count in sorted(result.dispositions.items())) or "nothing"
        self.stdout.write(f"{result.fetched} fetched, {result.moved} moved: {summary}")
        if result.stopped_early:
            raise CommandError("poll_imap: a mail could not be stored; the rest is left for the next run")
