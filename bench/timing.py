"""Time the main pages and API calls against the seeded benchmark database.

    .venv/bin/python bench/timing.py --requests 200

In-process, with Django's test ``Client`` (``force_login`` for the pages, a token for
the API) and DEBUG off, so the figures are the application and the database without a
web server or network in front. For every scenario: latency percentiles over
``--requests`` timed requests (after a warm-up), and the SQL queries of one request
(count and time, captured separately so capturing does not skew the timings). List
scenarios are also run at a second size (another page size, a case with 3 messages)
to show the query count does not grow with the rows shown.

Writes ``bench/results/timing-<time>.md`` and ``.json`` (and ``timing-latest.md``/``.json``;
``latest.*`` belong to ``bench/run.py``),
and ``bench/results/explain-<scenario>.txt`` with EXPLAIN (ANALYZE, BUFFERS) of every
case query of each scenario; the dashboard's and the tracker's are printed.

Cases created by the POST scenario are deleted at the end, so runs are repeatable.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

environment.setup()

import django  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from cases.models import Case, format_case_number  # noqa: E402
from notifications.models import OutboxEmail  # noqa: E402

RESULTS = environment.RESULTS


@dataclass
class Scenario:
    name: str
    path: str
    who: str  # "staff" or "customer"
    api: bool = False
    method: str = "get"
    body: Callable[[int], dict[str, Any]] | None = None
    expect: int = 200
    # The same page at another size, to show the query count does not depend on it.
    compare: str | None = None
    compare_label: str = ""
    explain: bool = False


@dataclass
class Result:
    scenario: Scenario
    latencies_ms: list[float]
    cpu_ms: list[float]
    queries: int
    sql_ms: float
    queries_compare: int | None
    statements: list[str] = field(default_factory=list)
    status_errors: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def case_body(i: int) -> dict[str, Any]:
    return {
        "title": f"Benchmark: scheduler stops after {i} runs",
        "description": "The nightly job stops with `ERR-4242` after a few runs.\n\nLogs to follow.",
        "severity": "medium",
        "request_type": "incident",
        "product": "Scheduler",
        "version": "4.1",
    }


def scenarios(big_case: str, small_case: str, word: str) -> list[Scenario]:
    return [
        Scenario("floor (middleware only)", "/bench/floor", "staff"),
        Scenario("dashboard: open queue", "/staff/", "staff", explain=True),
        Scenario("dashboard: unassigned queue", "/staff/?queue=unassigned", "staff", explain=True),
        Scenario(f"dashboard: search q={word}", f"/staff/?q={word}", "staff", explain=True),
        Scenario("tracker: largest org, page 1", "/cases/", "customer", explain=True),
        Scenario("tracker: largest org, page 50", "/cases/?page=50", "customer", explain=True),
        Scenario(
            f"workspace: {big_case} (100 messages)",
            f"/staff/cases/{big_case}/",
            "staff",
            compare=f"/staff/cases/{small_case}/",
            compare_label=f"{small_case} (3 messages)",
            explain=True,
        ),
        Scenario(
            f"case page (customer): {big_case}",
            f"/cases/{big_case}/",
            "customer",
            compare=f"/cases/{small_case}/",
            compare_label=f"{small_case} (3 messages)",
        ),
        Scenario(
            "API list: status=open&severity=high&ordering=-updated_at",
            "/api/v1/cases/?status=open&severity=high&ordering=-updated_at",
            "staff",
            api=True,
            compare="/api/v1/cases/?status=open&severity=high&ordering=-updated_at&page_size=100",
            compare_label="page_size=100",
            explain=True,
        ),
        Scenario(
            "API list: customer of largest org",
            "/api/v1/cases/",
            "customer",
            api=True,
            compare="/api/v1/cases/?page_size=100",
            compare_label="page_size=100",
            explain=True,
        ),
        Scenario(
            f"API list: q={word}",
            f"/api/v1/cases/?q={word}",
            "staff",
            api=True,
            compare=f"/api/v1/cases/?q={word}&page_size=100",
            compare_label="page_size=100",
            explain=True,
        ),
        Scenario(
            f"API messages: {big_case}, page_size=100",
            f"/api/v1/cases/{big_case}/messages/?page_size=100",
            "staff",
            api=True,
            compare=f"/api/v1/cases/{big_case}/messages/?page_size=10",
            compare_label="page_size=10",
        ),
        Scenario(
            "API create case (customer)",
            "/api/v1/cases/",
            "customer",
            api=True,
            method="post",
            body=case_body,
            expect=201,
        ),
    ]


class Runner:
    def __init__(self, staff: User, customer: User) -> None:
        self.clients: dict[tuple[str, bool], Client] = {}
        for who, user in (("staff", staff), ("customer", customer)):
            # A page that fails answers 500 and is counted, instead of ending the run.
            browser = Client(raise_request_exception=False)
            browser.force_login(user)
            token, _ = Token.objects.get_or_create(user=user)
            self.clients[(who, False)] = browser
            self.clients[(who, True)] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
        self.posted = 0
        self.reported: set[str] = set()

    def request(self, scenario: Scenario, path: str | None = None) -> int:
        client = self.clients[(scenario.who, scenario.api)]
        if scenario.method == "post":
            self.posted += 1
            assert scenario.body is not None
            response = client.post(path or scenario.path, scenario.body(self.posted), content_type="application/json")
        else:
            response = client.get(path or scenario.path)
        if response.status_code != scenario.expect and scenario.name not in self.reported:
            self.reported.add(scenario.name)
            print(f" [answered {response.status_code}, expected {scenario.expect}]", end="", flush=True)
        return response.status_code

    def run(self, scenario: Scenario, *, requests: int, warmup: int) -> Result:
        errors = 0
        for _ in range(warmup):
            errors += self.request(scenario) != scenario.expect
        latencies, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            status = self.request(scenario)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            errors += status != scenario.expect
        with CaptureQueriesContext(connection) as captured:
            errors += self.request(scenario) != scenario.expect
        statements = [q["sql"] for q in captured.captured_queries]
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        compare = None
        if scenario.compare:
            with CaptureQueriesContext(connection) as other:
                self.request(scenario, scenario.compare)
            compare = len(other.captured_queries)
        return Result(scenario, latencies, cpu, len(statements), sql_ms, compare, statements, errors)


# --- EXPLAIN ----------------------------------------------------------------------------

CASE_QUERY = re.compile(r'\bFROM "cases_case"', re.I)


def explain(statements: list[str]) -> list[tuple[str, str, float]]:
    """(statement, plan, execution ms) for each SELECT on cases_case."""
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT") or not CASE_QUERY.search(sql):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found = re.search(r"Execution Time: ([\d.]+) ms", plan)
            plans.append((sql, plan, float(found.group(1)) if found else float("nan")))
    return plans


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


# --- Report -----------------------------------------------------------------------------


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| scenario | p50 ms | p95 ms | p99 ms | mean ms | Python CPU ms (median) | queries | SQL ms (1 req) "
        "| queries at other size |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        other = f"{r.queries_compare} ({r.scenario.compare_label})" if r.queries_compare is not None else ""
        errors = f" **{r.status_errors} unexpected statuses**" if r.status_errors else ""
        lines.append(
            f"| {r.scenario.name}{errors} | {r.percentile(0.50):.1f} | {r.percentile(0.95):.1f} | "
            f"{r.percentile(0.99):.1f} | {statistics.fmean(r.latencies_ms):.1f} | {statistics.median(r.cpu_ms):.1f} | "
            f"{r.queries} | {r.sql_ms:.1f} | {other} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT current_setting('shared_buffers'), current_setting('work_mem')")
        shared_buffers, work_mem = cursor.fetchone()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "shared_buffers": shared_buffers,
        "work_mem": work_mem,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default 5)")
    parser.add_argument(
        "--q", default="certificate", help="the search word (default: certificate, in ~4%% of the titles)"
    )
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    args = parser.parse_args(argv)
    # Failed requests are counted in the table; one traceback each would drown it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    seed_info = json.loads((RESULTS / "seed.json").read_text()) if (RESULTS / "seed.json").exists() else {}
    staff = User.objects.get(email=seed_info.get("staff_login", "engineer@support.bench"))
    customer = User.objects.get(email=seed_info.get("customer_login", "customer@acme.bench"))
    big = (
        Case.objects.filter(message_count=100, organization_id=customer.active_organization_id).order_by("-id").first()
    )
    if big is None:
        sys.exit("bench: no case with 100 messages: run bench/seed.py first")
    small = Case.objects.filter(organization_id=big.organization_id, message_count=3).exclude(status="closed").first()
    small = small or Case.objects.filter(message_count=3).first()
    total_cases = Case.objects.count()
    last_id_before = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0

    info = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": total_cases,
        "requests": args.requests,
        "warmup": args.warmup,
        "big_case": big.number,
        "small_case": format_case_number(small.pk) if small else "",
        "machine": machine(),
    }
    print(f"Timing against {connection.settings_dict['NAME']}: {total_cases:,} cases, {args.requests} requests each")
    print(f"Load average at start: {info['machine']['load_average_1m']} on {info['machine']['cpus']} CPUs")

    runner = Runner(staff, customer)
    results: list[Result] = []
    explains: dict[str, list[tuple[str, str, float]]] = {}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    report = Report(info, stamp=stamp, requests=args.requests, update_latest=not args.only)
    with override_settings(ROOT_URLCONF="bench.urls"):
        try:
            for scenario in scenarios(big.number, info["small_case"], args.q):
                if args.only and args.only.lower() not in scenario.name.lower():
                    continue
                print(f"  {scenario.name} …", end="", flush=True)
                result = runner.run(scenario, requests=args.requests, warmup=args.warmup)
                results.append(result)
                print(
                    f" p50 {result.percentile(0.5):.1f} ms, p95 {result.percentile(0.95):.1f} ms, "
                    f"{result.queries} queries"
                    + (f", {result.status_errors} bad statuses" if result.status_errors else "")
                )
                if scenario.explain:
                    explains[scenario.name] = explain(result.statements)
                    plans = explains[scenario.name]
                    text = "\n\n".join(f"-- {ms:.1f} ms\n{sql}\n\n{plan}" for sql, plan, ms in plans)
                    (RESULTS / f"explain-{slug(scenario.name)}.txt").write_text(text + "\n")
                # Written after every row: a long run that stops still leaves its figures.
                report.write(results)
        finally:
            delete_cases_after(last_id_before)
    text = report.write(results, finished=True)

    print()
    print(text)
    for name, plans in explains.items():
        if name.startswith(("dashboard: open", "tracker: largest org, page 1")):
            print(f"\n### EXPLAIN (ANALYZE, BUFFERS): {name}")
            for sql, plan, _ms in plans:
                print(f"\n{sql}\n\n{plan}")
    print(f"\nWritten to {RESULTS}/timing-{stamp}.md, .json and explain-*.txt")


def delete_cases_after(last_id: int) -> None:
    """Remove the cases the POST scenario created, and the rows pointing at them.

    In SQL rather than ``QuerySet.delete()``: the collector follows every model in the
    code, including apps whose tables this database does not have yet.
    """
    numbers = [format_case_number(pk) for pk in Case.objects.filter(pk__gt=last_id).values_list("pk", flat=True)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT k.conrelid::regclass::text, quote_ident(a.attname)
            FROM pg_constraint k
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            WHERE k.contype = 'f' AND k.confrelid = 'cases_case'::regclass
            """
        )
        for table, column in cursor.fetchall():
            cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [last_id])
        OutboxEmail.objects.filter(case_number__in=numbers).delete()
        cursor.execute("DELETE FROM cases_case WHERE id > %s", [last_id])


class Report:
    def __init__(self, info: dict[str, Any], *, stamp: str, requests: int, update_latest: bool) -> None:
        self.info, self.stamp, self.requests, self.update_latest = info, stamp, requests, update_latest

    def write(self, results: list[Result], *, finished: bool = False) -> str:
        info = self.info
        info["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds") if finished else None
        info["load_average_1m_end"] = round(os.getloadavg()[0], 2)
        header = (
            f"{info['cases']:,} cases · {self.requests} requests per row · PostgreSQL · "
            f"{info['machine']['cpus']} CPUs · load average {info['machine']['load_average_1m']} → "
            f"{info['load_average_1m_end']} · {info['started_at']}" + ("" if finished else " · (unfinished)") + "\n\n"
        )
        text = header + markdown_table(results) + "\n"
        payload = {
            **info,
            "results": [
                {
                    "scenario": r.scenario.name,
                    "path": r.scenario.path,
                    "method": r.scenario.method.upper(),
                    "p50_ms": round(r.percentile(0.50), 2),
                    "p95_ms": round(r.percentile(0.95), 2),
                    "p99_ms": round(r.percentile(0.99), 2),
                    "mean_ms": round(statistics.fmean(r.latencies_ms), 2),
                    "python_cpu_median_ms": round(statistics.median(r.cpu_ms), 2),
                    "queries": r.queries,
                    "sql_ms": round(r.sql_ms, 2),
                    "queries_at_other_size": r.queries_compare,
                    "other_size": r.scenario.compare_label,
                    "unexpected_statuses": r.status_errors,
                    "statements": r.statements,
                }
                for r in results
            ],
        }
        names = ["timing-" + self.stamp] + (["timing-latest"] if self.update_latest else [])
        for name in names:
            (RESULTS / f"{name}.md").write_text(text)
            (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
        return text


if __name__ == "__main__":
    main()
