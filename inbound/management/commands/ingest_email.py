"""``python manage.py ingest_email < message.eml``: the MTA pipe.

Reads one raw e-mail from standard input (or ``--file``), stores it and routes it.
Exits 0 once the mail is stored, wherever it went (a reply, a new case, noise,
quarantine). Exits 75 (EX_TEMPFAIL) when it could not be stored — the database or the
storage is down — which tells Postfix and other MTAs to keep the mail and try again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inbound.models import Source
from inbound.services import ingest_stream

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take in one raw e-mail from standard input (an MTA pipe)."
    # call_command("ingest_email", stdin=...) in tests and scripts.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="Read the mail from this file instead of standard input.")
        parser.add_argument(
            "--source", default=Source.PIPE, choices=Source.values, help="Where the mail came from (default: pipe)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options.get("file"):
                with open(options["file"], "rb") as handle:
                    inbound = ingest_stream(handle, source=options["source"])
            else:
                stdin = options.get("stdin") or sys.stdin
                inbound = ingest_stream(getattr(stdin, "buffer", stdin), source=options["source"])
        except Exception as error:
            # Not stored: say why on stderr (the MTA logs it) and ask it to retry later.
            self.stderr.write(f"ingest_email: the mail could not be stored: {type(error).__name__}: {error}")
            raise SystemExit(EX_TEMPFAIL) from error
        reason = f" ({inbound.reason})" if inbound.reason else ""
        self.stdout.write(f"inbound {inbound.pk}: {inbound.disposition}{reason}")
