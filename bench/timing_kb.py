"""Time knowledge-base search and suggestions against the database bench/seed_kb.py loads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench_kb \\
        .venv/bin/python bench/timing_kb.py --requests 200

In-process with Django's test ``Client`` (a token for the API), logged in as the seeded
customer (``customer@kb.bench``: drafts hidden), DEBUG off. For every scenario: p50/p95/
p99 over ``--requests`` timed requests after ``--warmup``, the queries of one request
(count and SQL time seen by Django), the database's own time for them (EXPLAIN ANALYZE:
planning + execution, with the planner settings the search used; p50/p95 over
``--explain-runs`` runs: "DB ms", what the SQL costs apart from Python and the load on
the CPUs), and EXPLAIN (ANALYZE, BUFFERS) of the article queries of the
slowest scenario (``bench/results/explain-kb-*.txt``). "listed" is the API's ``count``
(``+`` when ``truncated``: more match than were ranked). Writes
``bench/results/timing-kb-<time>.md``/``.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

environment.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.seed_kb import CUSTOMER_LOGIN, WORDS  # noqa: E402

RESULTS = environment.RESULTS

DRAFT_TITLES = {
    "en": "Gateway connection refused after upgrade",
    "fr": "Connexion refusée au Gateway après la mise à jour",
    "ru": "Отказано в подключении к Gateway после обновления",
    "ko": "업그레이드 후 Gateway 연결 거부",
    "zh-hans": "升级后 Gateway 连接被拒绝",
}


def scenarios(only_language: str | None) -> list[tuple[str, str]]:
    # The floor: an API read of a few rows through the same stack (token, DRF, JSON), to
    # tell the search's own cost from the machine's load.
    rows = [("baseline: GET /api/v1/news/ (no rows; token, DRF, JSON)", "/api/v1/news/")]
    for language, words in WORDS.items():
        if only_language and language != only_language:
            continue
        for kind in ("common", "rare"):
            word = words[kind]
            rows.append((f"search {language} {kind} q={word}", f"/api/v1/kb/articles/?q={quote(word)}"))
            rows.append(
                (
                    f"search {language} {kind} q={word}&language={language}",
                    f"/api/v1/kb/articles/?q={quote(word)}&language={language}",
                )
            )
        title = DRAFT_TITLES[language]
        rows.append((f"suggest {language}: {title}", f"/api/v1/kb/suggest/?q={quote(title)}"))
    rows.append(("browser suggest partial (en title)", f"/kb/suggest/?title={quote(DRAFT_TITLES['en'])}"))
    rows.append(("browser search page q=connection", f"/kb/?q={quote(WORDS['en']['common'])}"))
    rows.append(
        ("browser search page q=连接&language=zh-hans", f"/kb/?q={quote(WORDS['zh-hans']['common'])}&language=zh-hans")
    )
    return rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def explain(statements: list[str]) -> list[tuple[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the article queries, each with the planner settings
    the request ran it with (the search's ``SET LOCAL``), in a transaction of its own."""
    plans = []
    settings = ""
    for sql in statements:
        if sql.startswith("SET LOCAL"):
            settings = sql
            continue
        if sql.lstrip("(").upper().startswith("SELECT") and '"knowledge_article"' in sql:
            with transaction.atomic(), connection.cursor() as cursor:
                if settings:
                    cursor.execute(settings)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        if sql.startswith(("COMMIT", "RESET")):
            settings = ""
    return plans


def execution_ms(plans: list[tuple[str, str]]) -> float:
    """The database's own time for the statements (sum of EXPLAIN ANALYZE's Planning and
    Execution Time): what the SQL costs, apart from the round trips and Python."""
    total = 0.0
    for _, plan in plans:
        for line in plan.splitlines():
            if line.startswith(("Planning Time:", "Execution Time:")):
                total += float(line.split(":")[1].split()[0])
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--language", help="only this language's scenarios")
    parser.add_argument("--label", default="", help="added to the output file names")
    parser.add_argument(
        "--explain-runs",
        type=int,
        default=20,
        help="EXPLAIN ANALYZE runs of one request's statements, for the database's own p50/p95",
    )
    args = parser.parse_args(argv)

    customer = User.objects.get(email=CUSTOMER_LOGIN)
    token, _ = Token.objects.get_or_create(user=customer)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
    browser = Client(raise_request_exception=False)
    browser.force_login(customer)

    load_before = os.getloadavg()
    rows = []
    for name, path in scenarios(args.language):
        client = api if path.startswith("/api/") else browser
        print(f"{name} …", end="", flush=True)
        for _ in range(args.warmup):
            response = client.get(path)
        latencies = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        statements = [q["sql"] for q in captured.captured_queries]
        db_times = sorted(execution_ms(explain(statements)) for _ in range(max(1, args.explain_runs)))
        explain_ms = percentile(db_times, 0.50)
        payload = response.json() if path.startswith("/api/") and response.status_code == 200 else {}
        row = {
            "name": name,
            "path": path,
            "status": response.status_code,
            "count": payload.get("count", len(payload.get("results", []))) if payload else None,
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "mean": sum(latencies) / len(latencies),
            "truncated": payload.get("truncated") if payload else None,
            "queries": len(captured.captured_queries),
            "sql_ms": sql_ms,
            "explain_ms": explain_ms,
            "explain_p95": percentile(db_times, 0.95),
            "statements": statements,
        }
        rows.append(row)
        print(
            f" {row['status']} p50 {row['p50']:.1f} p95 {row['p95']:.1f} p99 {row['p99']:.1f} ms, "
            f"{row['queries']} queries, SQL {sql_ms:.1f} ms (EXPLAIN ANALYZE p50 {explain_ms:.1f} "
            f"p95 {row['explain_p95']:.1f} ms), count {row['count']}",
            flush=True,
        )
    load_after = os.getloadavg()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    slowest = max(rows, key=lambda r: r["p95"])
    plans = explain(slowest["statements"])
    explain_file = RESULTS / f"explain-kb{args.label}-{stamp}.txt"
    explain_file.write_text(
        f"-- {slowest['name']}: {slowest['path']}\n\n" + "\n\n".join(f"{sql}\n\n{plan}" for sql, plan in plans)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE published), count(*) FILTER (WHERE NOT published) FROM knowledge_article"
        )
        published, drafts = cursor.fetchone()
    lines = [
        f"Run {stamp} UTC: {published:,} published + {drafts:,} draft articles; {args.requests} requests "
        f"after {args.warmup} warm-up; load average {load_before[0]:.1f} → {load_after[0]:.1f}",
        "",
        "| scenario | listed | p50 ms | p95 ms | p99 ms | mean ms | queries | SQL ms (1 req) | DB p50 ms | DB p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        listed = "" if r["count"] is None else f"{r['count']}{'+' if r.get('truncated') else ''}"
        lines.append(
            f"| {r['name']} | {listed} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {r['p99']:.1f} | {r['mean']:.1f} | {r['queries']} | {r['sql_ms']:.1f} "
            f"| {r['explain_ms']:.1f} | {r['explain_p95']:.1f} |"
        )
    report = "\n".join(lines) + "\n"
    (RESULTS / f"timing-kb{args.label}-{stamp}.md").write_text(report)
    (RESULTS / f"timing-kb{args.label}-{stamp}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print()
    print(report)
    print(f"slowest: {slowest['name']}; EXPLAIN in {explain_file}")
    for _, plan in plans:
        print(plan)
        print()


if __name__ == "__main__":
    main()
