"""Time ``close_idle_cases`` on a seeded benchmark database.

    .venv/bin/python bench/auto_close.py --due 50000

1. Makes exactly N cases due for automatic closing, in one UPDATE: N open cases (spread
   over the organizations, chosen by a hash of their id) become waiting on customer /
   solution proposed (alternately) with ``auto_close_at`` an hour in the past and the
   reminder already sent a day before (``auto_close_reminded_at`` set), so only the
   closing step fires for them. Cases that were already due are counted and reported.
2. Runs ``close_idle_cases(as_of=now)`` and prints the elapsed time, the cases reminded
   and closed, the outbox rows written and the audit events added.
3. Runs it again, now with nothing due, and times that.

The Celery broker of the bench environment is ``memory://``: the outbox rows stay
``pending`` (no worker delivers them); the time is the application's and the database's.
Each run changes the data (the cases are closed): reseed, or run again with another
``--due``, which takes other open cases. Results go to ``bench/results/auto_close.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

environment.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import AWAITING_CUSTOMER_STATUSES, Case, CaseEvent, Status  # noqa: E402
from cases.services.auto_close import close_idle_cases, due_for_auto_close, due_for_reminder  # noqa: E402
from notifications.models import OutboxEmail  # noqa: E402


def make_due(n: int, now) -> int:  # type: ignore[no-untyped-def]
    """N open (not awaiting, not closed) cases become due for closing, in one UPDATE."""
    table = connection.ops.quote_name(Case._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} c
            SET status = CASE WHEN c.id %% 2 = 0 THEN %s ELSE %s END,
                status_changed_at = %s,
                auto_close_at = %s,
                auto_close_reminder_at = %s,
                auto_close_reminded_at = %s
            FROM (
                SELECT id FROM {table}
                WHERE status NOT IN (%s, %s, %s)
                ORDER BY md5(id::text)
                LIMIT %s
            ) pick
            WHERE c.id = pick.id
            """,  # noqa: S608 - table name from _meta
            [
                str(Status.WAITING_ON_CUSTOMER),
                str(Status.SOLUTION_PROPOSED),
                now - timedelta(days=6),
                now - timedelta(hours=1),
                now - timedelta(days=1, hours=1),
                now - timedelta(days=1),
                str(Status.CLOSED),
                *[str(s) for s in AWAITING_CUSTOMER_STATUSES],
                n,
            ],
        )
        changed = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return changed


def timed_run(label: str) -> dict[str, object]:
    as_of = timezone.now()
    outbox_before = OutboxEmail.objects.count()
    events_before = CaseEvent.objects.count()
    due = due_for_auto_close(as_of).count()
    reminders = due_for_reminder(as_of).count()
    load = os.getloadavg()[0]
    cpu = time.process_time()
    started = time.perf_counter()
    report = close_idle_cases(as_of=as_of)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    result = {
        "label": label,
        "due_before": due,
        "reminders_due_before": reminders,
        "seconds": round(elapsed, 3),
        "python_cpu_seconds": round(cpu, 3),
        "reminded": len(report.reminded),
        "closed": len(report.closed),
        "outbox_rows_written": OutboxEmail.objects.count() - outbox_before,
        "outbox_pending": OutboxEmail.objects.filter(status="pending").count(),
        "events_written": CaseEvent.objects.count() - events_before,
        "load_average_1m": round(load, 2),
        "load_average_1m_end": round(os.getloadavg()[0], 2),
    }
    print(
        f"{label}: {elapsed:.2f} s (Python CPU {cpu:.2f} s) — due {due:,}, reminded {result['reminded']:,}, "
        f"closed {result['closed']:,}, outbox rows {result['outbox_rows_written']:,}, "
        f"events {result['events_written']:,}; load {load:.1f} → {result['load_average_1m_end']:.1f}"
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--due", type=int, default=50_000, help="cases to make due (default 50,000)")
    parser.add_argument("--no-prepare", action="store_true", help="time what is due now; change no case first")
    args = parser.parse_args(argv)

    print(f"Database {connection.settings_dict['NAME']}: {Case.objects.count():,} cases", file=sys.stderr)
    now = timezone.now()
    prepared = None
    if not args.no_prepare:
        already = due_for_auto_close(now).count()
        started = time.perf_counter()
        prepared = make_due(args.due, now)
        print(
            f"made {prepared:,} cases due in {time.perf_counter() - started:.1f} s ({already:,} were already due)",
            file=sys.stderr,
        )
    runs = [timed_run(f"close_idle_cases, {args.due:,} made due"), timed_run("close_idle_cases, nothing due")]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory: {peak_mb:.0f} MB")
    environment.RESULTS.mkdir(parents=True, exist_ok=True)
    (environment.RESULTS / "auto_close.json").write_text(
        json.dumps(
            {
                "database": connection.settings_dict["NAME"],
                "cases": Case.objects.count(),
                "made_due": prepared,
                "runs": runs,
                "peak_rss_mb": round(peak_mb),
                "at": now.isoformat(),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
