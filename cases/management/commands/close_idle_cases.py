"""`python manage.py close_idle_cases [--as-of ISO-8601] [--dry-run]` (API.md)."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.services.auto_close import close_idle_cases


def parse_as_of(value: str) -> datetime:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(f"--as-of: {value!r} is not an ISO-8601 date and time (e.g. 2026-12-31T10:00:00-05:00).")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


class Command(BaseCommand):
    help = "Remind, then close, cases that waited 5 business days for the customer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="act as if the time were this ISO-8601 instant")
        parser.add_argument("--dry-run", action="store_true", help="list what would happen; change nothing")

    def handle(self, *args: object, **options: object) -> None:
        as_of = parse_as_of(str(options["as_of"])) if options.get("as_of") is not None else timezone.now()
        report = close_idle_cases(as_of=as_of, dry_run=bool(options["dry_run"]))
        prefix = "would " if report.dry_run else ""
        for number in report.reminded:
            self.stdout.write(f"{prefix}remind {number}")
        for number in report.closed:
            self.stdout.write(f"{prefix}close {number}")
        summary = f"{prefix}remind {len(report.reminded)}, {prefix}close {len(report.closed)}"
        if not report.dry_run:
            summary = f"reminded {len(report.reminded)}, closed {len(report.closed)}"
        self.stdout.write(self.style.SUCCESS(f"as of {report.as_of.isoformat()}: {summary}"))
