"""Serve the application with gunicorn and measure it with wrk.

    .venv/bin/python bench/run.py --db casetracker_bench10k
    .venv/bin/python bench/run.py --db casetracker_bench1m
    .venv/bin/python bench/run.py --compare bench/results/run-casetracker_bench10k.json \\
        bench/results/run-casetracker_bench1m.json

gunicorn (2 sync workers, DEBUG off, the settings of ``bench/environment.py`` and
``bench/urls.py`` for the floor view) on a free port of 127.0.0.1; wrk at concurrency 8
against each scenario: a short warm-up, then ``--duration`` seconds measured. The staff
and the customer each log in once (a real session in the database) and wrk sends the
session cookie, or the API token, with every request. ``POST /api/v1/cases/`` runs with
a real Celery broker on Redis (``CELERY_BROKER_URL``, default
``redis://127.0.0.1:6379/8``): each case writes its outbox row and hands a delivery task
to Redis after commit (no worker consumes them; the cases, their rows and the queued
tasks are removed at the end).

Then a memory-flatness run: ``--memory-requests`` (20,000) requests of a mix of the
pages, the RSS of each gunicorn worker sampled from /proc during it; first (after a
warm-up) against last.

Writes ``bench/results/latest.md`` and ``latest.json`` and a copy named after the
database (``run-<database>.md/.json``): p50/p95/p99, requests per second, the ratio of
each p95 to the floor's, the target of each row and the 1-minute load average before
and after it (the machine is shared). ``--compare A.json B.json`` prints each page's p95
at both sizes and their ratio (target ≤ 1.5) and writes ``bench/results/compare.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WRK_DIR = REPO / "bench" / "wrk"
RESULTS = REPO / "bench" / "results"
DEFAULT_BROKER = "redis://127.0.0.1:6379/8"
PASSWORD = "bench-pass-2026"
STAFF_LOGIN = "engineer@support.bench"
CUSTOMER_LOGIN = "customer@acme.bench"
TARGET_MS = 50.0
FLOOR_FACTOR = 3.0
POST_TARGET_RPS = 250.0
GROWTH_TARGET = 1.5
MEMORY_TARGET = 0.10


@dataclass
class Scenario:
    key: str  # stable across data sets (for --compare)
    name: str
    path: str
    who: str  # "staff" or "customer"
    api: bool = False
    post: bool = False
    in_memory_mix: bool = False


@dataclass
class Row:
    key: str
    name: str
    method: str
    path: str
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    mean_ms: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    floor_ratio: float | None = None
    target: str = ""
    meets_target: bool | None = None
    note: str = ""
    single_ms: float = 0.0  # the smoke-test request, alone on the server
    # gunicorn's own time for each request (access log %(D)s: from reading the request to
    # the last byte written), without the wait in the listen queue that wrk also sees.
    server_p50_ms: float = 0.0
    server_p95_ms: float = 0.0


def scenarios(big_case: str, word: str, kb_word: str) -> list[Scenario]:
    return [
        Scenario("floor", "floor (middleware only)", "/bench/floor", "staff", in_memory_mix=True),
        Scenario("dashboard-open", "staff dashboard: default queue", "/staff/", "staff", in_memory_mix=True),
        Scenario(
            "dashboard-edown", "staff dashboard: E-Down queue", "/staff/?queue=edown", "staff", in_memory_mix=True
        ),
        Scenario("dashboard-sla", "staff dashboard: SLA at risk", "/staff/?queue=sla", "staff", in_memory_mix=True),
        Scenario("dashboard-search", f"staff search: q={word}", f"/staff/?q={word}", "staff"),
        Scenario("tracker", "Case Tracker: largest organization", "/cases/", "customer", in_memory_mix=True),
        Scenario(
            "workspace-100",
            f"case page, staff: {big_case} (100 messages)",
            f"/staff/cases/{big_case}/",
            "staff",
            in_memory_mix=True,
        ),
        Scenario(
            "case-100",
            f"case page, customer: {big_case} (100 messages)",
            f"/cases/{big_case}/",
            "customer",
            in_memory_mix=True,
        ),
        Scenario(
            "api-filter",
            "API list: status=open&severity=high&ordering=-updated_at",
            "/api/v1/cases/?status=open&severity=high&ordering=-updated_at",
            "staff",
            api=True,
            in_memory_mix=True,
        ),
        Scenario(
            "api-customer",
            "API list: customer of largest org",
            "/api/v1/cases/",
            "customer",
            api=True,
            in_memory_mix=True,
        ),
        Scenario("api-q", f"API list: q={word}", f"/api/v1/cases/?q={word}", "staff", api=True),
        Scenario("kb-search", f"KB search: q={kb_word}", f"/api/v1/kb/articles/?q={kb_word}", "customer", api=True),
        Scenario(
            "kb-search-en",
            f"KB search: q={kb_word}&language=en",
            f"/api/v1/kb/articles/?q={kb_word}&language=en",
            "customer",
            api=True,
        ),
        Scenario("api-create", "API create case (customer, outbox + Redis)", "/api/v1/cases/", "customer", post=True),
    ]


# --- helpers -------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class Server:
    """gunicorn with two sync workers on 127.0.0.1:port, started and stopped by us."""

    def __init__(self, port: int, env: dict[str, str], workers: int, threads: int = 1) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = (RESULTS / "gunicorn.log").open("wb")
        self.access_log = RESULTS / "access.log"
        self.access_log.write_text("")
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "bench.environment:wsgi()",
            "--workers",
            str(workers),
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-tmp-dir",
            "/dev/shm",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(D)s",
        ]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench: gunicorn exited ({self.process.returncode}); see {RESULTS / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5):
                    pass
                if len(self.workers()) >= 1:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        sys.exit("bench: gunicorn did not answer in time")

    def access_log_size(self) -> int:
        return self.access_log.stat().st_size

    def service_times_ms(self, since: int) -> list[float]:
        """The requests' times gunicorn logged after byte ``since`` of its access log."""
        with self.access_log.open("rb") as log:
            log.seek(since)
            return sorted(int(line) / 1000 for line in log.read().split() if line.isdigit())

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wrk(
    url: str,
    *,
    script: str,
    seconds: float,
    connections: int,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout_s: int = 60,
) -> dict[str, Any]:
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        f"{timeout_s}s",
    ]
    command += ["-s", str(WRK_DIR / script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    run_env = {**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), **(env or {})}
    completed = subprocess.run(command, capture_output=True, text=True, env=run_env, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stdout[-500:]} {completed.stderr[-500:]}")


def request(base: str, scenario: Scenario, headers: dict[str, str]) -> tuple[int, bytes]:
    data = None
    if scenario.post:
        data = json.dumps(
            {
                "title": "Benchmark smoke test",
                "description": "Smoke test before the POST run.",
                "severity": "medium",
                "request_type": "incident",
                "product": "Scheduler",
                "version": "4.1",
            }
        ).encode()
        headers = {**headers, "Content-Type": "application/json"}
    req = urllib.request.Request(base + scenario.path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=120) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- the run -------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Log in once per role, find the 100-message case; everything wrk needs."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from cases.models import Case, format_case_number

    user_model = get_user_model()
    missing = [e for e in (STAFF_LOGIN, CUSTOMER_LOGIN) if not user_model.objects.filter(email=e).exists()]
    if missing:
        sys.exit(f"bench: no user {missing} in this database: seed it first (bench/seed.py --profile 10k --reset)")
    big = Case.objects.filter(message_count__gte=100).order_by("-message_count", "-id").values_list("pk", flat=True)
    if not big:
        sys.exit("bench: no case with 100 messages: seed the database with bench/seed.py")
    auth: dict[str, dict[str, dict[str, str]]] = {}
    for who, email in (("staff", STAFF_LOGIN), ("customer", CUSTOMER_LOGIN)):
        client = Client()
        if not client.login(username=email, password=PASSWORD):
            sys.exit(f"bench: cannot log in as {email} / {PASSWORD}")
        token, _ = Token.objects.get_or_create(user=user_model.objects.get(email=email))
        auth[who] = {
            "page": {"Cookie": f"sessionid={client.cookies['sessionid'].value}", "Accept-Language": "en"},
            "api": {"Authorization": f"Token {token.key}", "Accept": "application/json"},
        }
    return {
        "auth": auth,
        "big_case": format_case_number(big[0]),
        "cases": Case.objects.count(),
        "last_case_id": Case.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }


def headers_for(scenario: Scenario, auth: dict[str, Any]) -> dict[str, str]:
    return auth[scenario.who]["api" if scenario.api or scenario.post else "page"]


def measure(server: Server, scenario: Scenario, auth: dict[str, Any], args: argparse.Namespace) -> Row:
    headers = headers_for(scenario, auth)
    row = Row(scenario.key, scenario.name, "POST" if scenario.post else "GET", scenario.path)
    began = time.perf_counter()
    status, body = request(server.base, scenario, headers)
    row.single_ms = round((time.perf_counter() - began) * 1000, 1)
    expected = 201 if scenario.post else 200
    if status != expected or b'name="password"' in body[:20000]:
        row.note = f"smoke test: HTTP {status} (expected {expected}); not measured"
        print(f"  {scenario.name}: {row.note}", flush=True)
        return row
    script = "post_case.lua" if scenario.post else "get.lua"
    env = {"BENCH_TOKEN": headers["Authorization"].split()[1]} if scenario.post else {}
    wrk_headers = {} if scenario.post else headers
    url = server.base + scenario.path
    if args.warmup > 0:
        wrk(url, script=script, seconds=args.warmup, connections=args.connections, headers=wrk_headers, env=env)
    row.load_before = loadavg()
    logged = server.access_log_size()
    result = wrk(
        url,
        script=script,
        seconds=args.duration,
        connections=args.connections,
        threads=args.threads,
        headers=wrk_headers,
        env=env,
    )
    row.load_after = loadavg()
    time.sleep(0.2)  # the workers' last log lines
    served = server.service_times_ms(logged)
    if served:
        row.server_p50_ms = round(served[len(served) // 2], 2)
        row.server_p95_ms = round(served[min(len(served) - 1, int(len(served) * 0.95))], 2)
    row.requests = result["requests"]
    if row.requests < args.connections:
        row.note = (
            f"only {row.requests} responses in {args.duration} s at concurrency {args.connections}; "
            f"one request alone took {row.single_ms:.0f} ms"
        )
    row.seconds = result["duration_us"] / 1e6
    row.rps = row.requests / row.seconds if row.seconds else 0.0
    for name in ("p50", "p95", "p99", "max", "mean"):
        setattr(row, f"{name}_ms", round(result[f"{name}_us"] / 1000, 2))
    row.errors = {
        k: result[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        if result[k]
    }
    print(
        f"  {scenario.name}: {row.requests} requests, p50 {row.p50_ms:.1f} ms, p95 {row.p95_ms:.1f} ms, "
        f"p99 {row.p99_ms:.1f} ms, {row.rps:.1f} req/s, server p50/p95 {row.server_p50_ms:.1f}/"
        f"{row.server_p95_ms:.1f} ms, load {row.load_before} -> {row.load_after}"
        + (f", errors {row.errors}" if row.errors else ""),
        flush=True,
    )
    return row


def judge(rows: list[Row]) -> float | None:
    floor = next((r for r in rows if r.key == "floor" and r.requests), None)
    floor_p95 = floor.p95_ms if floor else None
    limit = max(TARGET_MS, FLOOR_FACTOR * floor_p95) if floor_p95 else TARGET_MS
    for row in rows:
        if not row.requests:
            row.meets_target = False
            row.target = row.target or "not measured"
            continue
        if floor_p95:
            row.floor_ratio = round(row.p95_ms / floor_p95, 2)
        if row.method == "POST":
            row.target = f"≥ {POST_TARGET_RPS:.0f} req/s"
            row.meets_target = row.rps >= POST_TARGET_RPS and not row.errors
        else:
            row.target = f"p95 ≤ {limit:.0f} ms"
            row.meets_target = row.p95_ms <= limit and not row.errors
    return floor_p95


def memory_run(server: Server, scenario_list: list[Scenario], auth: dict[str, Any], args: argparse.Namespace) -> dict:
    """RSS of each worker over ``--memory-requests`` requests of a mix of the pages."""
    lines = []
    for scenario in scenario_list:
        if scenario.in_memory_mix:
            (name, value), *_ = [
                (k, v) for k, v in headers_for(scenario, auth).items() if k in ("Cookie", "Authorization")
            ]
            lines.append(f"{scenario.path}\t{name}\t{value}")
    mix = "\n".join(lines)
    workers = server.workers()
    started_rss = {pid: rss_kb(pid) for pid in workers}

    def run(count: int) -> dict[str, Any]:
        """wrk in chunks of a few seconds until ``count`` requests are done."""
        total = {"requests": 0, "duration_us": 0, "status_errors": 0, "timeouts": 0}
        while total["requests"] < count:
            chunk = wrk(
                server.base + "/", script="mix.lua", seconds=5, connections=args.connections, env={"BENCH_MIX": mix}
            )
            for key in total:
                total[key] += chunk[key]
            if not chunk["requests"]:
                break
        return total

    warm = max(200, args.memory_requests // 40)
    print(f"  memory: warm-up {warm} requests of the mix ({len(lines)} pages)", flush=True)
    run(warm)
    first = {pid: rss_kb(pid) for pid in workers}
    samples: list[dict[str, Any]] = []
    stop = threading.Event()

    def sample() -> None:
        start = time.monotonic()
        while not stop.wait(1.0):
            samples.append({"t": round(time.monotonic() - start, 1), **{str(p): rss_kb(p) for p in workers}})

    sampler = threading.Thread(target=sample, daemon=True)
    load_before = loadavg()
    sampler.start()
    print(f"  memory: {args.memory_requests:,} requests", flush=True)
    result = run(args.memory_requests)
    stop.set()
    sampler.join()
    last = {pid: rss_kb(pid) for pid in workers}
    if server.workers() != workers:
        print("  memory: WARNING a worker was replaced during the run", flush=True)
    per_worker = []
    for pid in workers:
        change = (last[pid] - first[pid]) / first[pid] if first[pid] else 0.0
        peak = max([s[str(pid)] for s in samples] + [last[pid]])
        per_worker.append(
            {
                "pid": pid,
                "rss_mb_at_start": round(started_rss[pid] / 1024, 1),
                "rss_mb_first": round(first[pid] / 1024, 1),
                "rss_mb_last": round(last[pid] / 1024, 1),
                "rss_mb_peak": round(peak / 1024, 1),
                "change": round(change, 4),
            }
        )
    meets = all(abs(w["change"]) <= MEMORY_TARGET for w in per_worker) and not any(
        result[k] for k in ("status_errors", "timeouts")
    )
    outcome = {
        "requests": result["requests"],
        "warmup_requests": warm,
        "seconds": round(result["duration_us"] / 1e6, 1),
        "pages": [line.split("\t")[0] for line in lines],
        "workers": per_worker,
        "status_errors": result["status_errors"],
        "timeouts": result["timeouts"],
        "load_before": load_before,
        "load_after": loadavg(),
        "target": f"±{MEMORY_TARGET:.0%}",
        "meets_target": meets,
        "samples": samples[:: max(1, len(samples) // 200)],
    }
    for w in per_worker:
        print(
            f"  memory: worker {w['pid']}: {w['rss_mb_first']} MB -> {w['rss_mb_last']} MB "
            f"({w['change']:+.1%}), peak {w['rss_mb_peak']} MB",
            flush=True,
        )
    return outcome


def cleanup(last_case_id: int, broker: str) -> None:
    from bench.timing import delete_cases_after

    delete_cases_after(last_case_id)
    # The deleted cases leave dead rows at the top of every "newest first" index: until
    # a vacuum, the next run's lists walk over thousands of them (seen: API q= p95 60 →
    # 100 ms after a few runs). Autovacuum waits for 20% of a million rows to change.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) cases_case, cases_caseevent, cases_message, notifications_outboxemail, accounts_auditentry"
        )
    if broker.startswith("redis://"):
        # Only the delivery tasks the POST run queued: no worker consumes them here.
        import redis

        client = redis.Redis.from_url(broker)
        for key in client.scan_iter("celery*"):
            client.delete(key)
        for key in client.scan_iter("_kombu*"):
            client.delete(key)


def worker_kind(info: dict[str, Any]) -> str:
    threads = info.get("worker_threads", 1)
    return "sync" if threads <= 1 else f"gthread ({threads} threads each)"


def markdown(info: dict[str, Any], rows: list[Row], memory: dict | None) -> str:
    lines = [
        f"## {info['cases']:,} cases — `{info['database']}` — {info['started_at']}",
        "",
        f"gunicorn {info['workers']} {worker_kind(info)} workers, DEBUG off, wrk {info['connections']} connections, "
        f"{info['duration']:g} s a row after a {info['warmup']:g} s warm-up; floor p95 "
        f"{info['floor_p95_ms']} ms → page target p95 ≤ {info['page_target_ms']:.0f} ms; "
        f"{info['cpus']} CPUs; load average {info['load_start']} → {info['load_end']}.",
        "",
        "| scenario | p50 ms | p95 ms | p99 ms | req/s | p95 / floor | target | met | server p50 / p95 ms "
        "| load (1, 5, 15 min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | :---: | ---: | --- |",
    ]
    for r in rows:
        if not r.requests:
            lines.append(f"| {r.name} | | | | | | {r.note} | ✗ | | |")
            continue
        ratio = f"{r.floor_ratio:.1f}×" if r.floor_ratio is not None else ""
        met = "✓" if r.meets_target else "✗"
        errors = f" ({sum(r.errors.values())} errors)" if r.errors else ""
        errors += f" — {r.note}" if r.note else ""
        lines.append(
            f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.rps:.1f} | {ratio} | "
            f"{r.target}{errors} | {met} | {r.server_p50_ms:.1f} / {r.server_p95_ms:.1f} | "
            f"{r.load_before} → {r.load_after} |"
        )
    if memory:
        lines += [
            "",
            f"Memory: {memory['requests']:,} requests of a mix of {len(memory['pages'])} pages "
            f"after {memory['warmup_requests']} warm-up requests, {memory['seconds']} s, "
            f"load {memory['load_before']} → {memory['load_after']}"
            + (f", {memory['status_errors']} bad statuses" if memory["status_errors"] else "")
            + ":",
            "",
            "| worker | RSS at start MB | after warm-up MB | last MB | peak MB | change | target ±10% |",
            "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
        ]
        for w in memory["workers"]:
            met = "✓" if abs(w["change"]) <= MEMORY_TARGET else "✗"
            lines.append(
                f"| {w['pid']} | {w['rss_mb_at_start']} | {w['rss_mb_first']} | {w['rss_mb_last']} | "
                f"{w['rss_mb_peak']} | {w['change']:+.1%} | {met} |"
            )
    return "\n".join(lines) + "\n"


def compare(paths: list[str]) -> None:
    small, big = (json.loads(Path(p).read_text()) for p in paths)
    lines = [
        f"## p95 at {small['cases']:,} cases (`{small['database']}`) vs {big['cases']:,} cases (`{big['database']}`)",
        "",
        f"| scenario | p95 ms at {small['cases']:,} | p95 ms at {big['cases']:,} | ratio | target ≤ {GROWTH_TARGET} "
        "| p95/floor small | p95/floor big |",
        "| --- | ---: | ---: | ---: | :---: | ---: | ---: |",
    ]
    before = {r["key"]: r for r in small["results"]}
    for row in big["results"]:
        other = before.get(row["key"])
        if not other or not row["requests"] or not other["requests"]:
            lines.append(f"| {row['name']} | | | | not measured in both | | |")
            continue
        ratio = row["p95_ms"] / other["p95_ms"] if other["p95_ms"] else float("inf")
        met = "✓" if ratio <= GROWTH_TARGET else "✗"
        lines.append(
            f"| {row['name']} | {other['p95_ms']:.1f} | {row['p95_ms']:.1f} | {ratio:.2f} | {met} | "
            f"{other.get('floor_ratio') or 0:.1f}× | {row.get('floor_ratio') or 0:.1f}× |"
        )
    lines += [
        "",
        f"Load average: {small['load_start']} → {small['load_end']} (small), "
        f"{big['load_start']} → {big['load_end']} (big).",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "compare.md").write_text(text)
    print(text)


def migrate() -> None:
    """Apply the migrations the code has and the database lacks: a page served against an
    older schema fails (a column the code reads is missing)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
        print(f"migrate: applying {names} (a column added to a big table rewrites it: minutes at 1M)", flush=True)
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        # A rewritten table has an empty visibility map (no index-only scans) and stale
        # statistics: as after the seeder, VACUUM ANALYZE.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"migrate, VACUUM ANALYZE: {time.monotonic() - started:.1f} s", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database name (sets DATABASE_URL to postgres://postgres@127.0.0.1:5432/DB)")
    parser.add_argument("--duration", type=int, default=15, help="seconds measured a row (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up a row (default 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=1,
        help="threads a gunicorn worker (default 1: sync workers; more: gthread workers)",
    )
    parser.add_argument("--word", default="certificate", help="case search word (default certificate)")
    parser.add_argument("--kb-word", default="connection", help="KB search word (default connection)")
    parser.add_argument("--only", nargs="*", help="scenario keys to run (others skipped; latest.* kept)")
    parser.add_argument(
        "--memory-requests", type=int, default=20_000, help="requests of the memory run (0 skips it; default 20,000)"
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the memory run: its figures replace those in run-<database>.json/.md (and latest.*)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
    parser.add_argument("--compare", nargs=2, metavar=("SMALL.json", "BIG.json"), help="compare two results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.compare:
        compare(args.compare)
        return
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is not installed. Install it with: apt-get install -y wrk (Debian package 'wrk').")
    if args.db:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER)
    broker = os.environ["CELERY_BROKER_URL"]
    if broker.startswith("redis://") and not reachable("127.0.0.1", 6379):
        sys.exit(f"bench: Redis is not answering on 127.0.0.1:6379 (broker {broker})")

    sys.path.insert(0, str(REPO))
    from bench import environment

    environment.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]["NAME"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.no_migrate:
        migrate()
    prepared = prepare(args)
    scenario_list = scenarios(prepared["big_case"], args.word, args.kb_word)
    if args.only:
        scenario_list = [s for s in scenario_list if s.key in args.only or s.key == "floor"]

    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    info: dict[str, Any] = {
        "database": database,
        "cases": prepared["cases"],
        "big_case": prepared["big_case"],
        "started_at": started_at,
        "workers": args.workers,
        "worker_threads": args.worker_threads,
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
        "broker": broker,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_start": loadavg(),
    }
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    port = free_port()
    print(f"gunicorn on 127.0.0.1:{port}, database {database} ({prepared['cases']:,} cases); load {info['load_start']}")
    server = Server(port, env, args.workers, args.worker_threads)
    rows: list[Row] = []
    memory = None
    try:
        server.wait_ready()
        if args.memory_only:
            memory = memory_run(server, scenario_list, prepared["auth"], args)
        else:
            for scenario in scenario_list:
                if not scenario.post:
                    rows.append(measure(server, scenario, prepared["auth"], args))
            if args.memory_requests and not args.only:
                memory = memory_run(server, scenario_list, prepared["auth"], args)
            for scenario in scenario_list:
                if scenario.post:
                    rows.append(measure(server, scenario, prepared["auth"], args))
    finally:
        server.stop()
        cleanup(prepared["last_case_id"], broker)

    info["load_end"] = loadavg()
    if args.memory_only:
        previous = RESULTS / f"run-{database}.json"
        if not previous.exists():
            sys.exit(f"bench: no {previous} to add the memory run to; run without --memory-only first")
        saved = json.loads(previous.read_text())
        saved["memory"] = memory
        info = {k: saved[k] for k in info if k in saved}
        rows = [Row(**r) for r in saved["results"]]
    floor_p95 = judge(rows)
    info["floor_p95_ms"] = floor_p95
    info["page_target_ms"] = max(TARGET_MS, FLOOR_FACTOR * floor_p95) if floor_p95 else TARGET_MS
    payload = {**info, "results": [asdict(r) for r in rows], "memory": memory}
    text = markdown(info, rows, memory)
    names = [f"run-{database}"] + ([] if args.only else ["latest"])
    for name in names:
        (RESULTS / f"{name}.md").write_text(text)
        (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print()
    print(text)
    print(f"Written to {RESULTS}/" + " and ".join(f"{n}.md/.json" for n in names))


if __name__ == "__main__":
    main()
