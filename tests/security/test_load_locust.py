"""Load: minutes of mixed customer, engineer and escalation traffic against the
production stack (gunicorn with 2 workers, a Celery worker, an SMTP sink) on loopback,
then every e-mail the traffic caused is delivered.

Locust runs headless as a separate process (``tests/security/locustfile.py``) for
``LOCUST_DURATION`` seconds (default 180) with ``LOCUST_USERS`` users (default 12):
customers in the browser (tracker, case pages, replies, the Case Logger), engineers in
the browser (dashboard queues, workspace, replies), customers on the API declaring
Enterprise Down and escalating, managers acknowledging. What must hold:

- no answer is a 5xx (Locust's statistics and gunicorn's access log agree), and no flow
  met a refusal it did not expect;
- once the traffic stops, the outbox drains: nothing pending or being sent, nothing
  failed, and the SMTP sink holds every e-mail marked sent.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.live_stack import WORLD_PASSWORD, live_stack  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.security]

DURATION = int(os.environ.get("LOCUST_DURATION", "180"))
USERS = int(os.environ.get("LOCUST_USERS", "12"))
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def build_load_world() -> dict:
    """Three Enterprise organizations with customers and cases, engineers under two managers."""
    import datetime

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Plan, Role, Tier, User
    from cases.models import Severity
    from cases.services.assignment import assign_case
    from cases.services.intake import log_case
    from tests.factories import CustomerFactory, OrganizationFactory, StaffFactory
    from tests.security.live_stack import production_password_hash

    director = StaffFactory(email="dora@vendor.example", name="Dora Director", role=Role.DIRECTOR, tier="")
    managers = [
        StaffFactory(
            email=f"manager{i}@vendor.example", name=f"Manager {i}", role=Role.MANAGER, tier="", manager=director
        )
        for i in range(2)
    ]
    engineers = [
        StaffFactory(email=f"engineer{i}@vendor.example", name=f"Engineer {i}", tier=Tier.L1, manager=managers[i % 2])
        for i in range(4)
    ]
    maintained = timezone.localdate() + datetime.timedelta(days=365)
    customers, escalators, all_cases = [], [], []
    for o in range(3):
        organization = OrganizationFactory(
            name=f"Load Org {o}",
            customer_number=f"LOAD-{o}",
            plan=Plan.ENTERPRISE,
            production=True,
            maintenance_until=maintained,
        )
        for c in range(3):
            person = CustomerFactory(
                email=f"customer{o}{c}@load{o}.example", name=f"Customer {o}{c}", organization=organization
            )
            cases = []
            for n in range(3):
                case = log_case(
                    actor=person,
                    title=f"Seeded case {o}{c}{n}",
                    description="The nightly job fails.",
                    severity=Severity.MEDIUM,
                    request_type="incident",
                )
                assign_case(case=case, actor=engineers[n % 4], assignee=engineers[(o + c + n) % 4])
                cases.append(case.number)
            all_cases += cases
            entry = {"email": person.email, "cases": cases}
            (escalators if c == 2 else customers).append(entry)
    User.objects.update(password=production_password_hash())

    def token(email: str) -> str:
        return Token.objects.get_or_create(user=User.objects.get(email=email))[0].key

    for entry in escalators:
        entry["token"] = token(entry["email"])
    return {
        "password": WORLD_PASSWORD,
        "customers": customers,
        "escalators": escalators,
        "engineers": [{"email": e.email} for e in engineers],
        "managers": [{"email": m.email, "token": token(m.email)} for m in managers],
        "all_cases": all_cases,
    }


def aggregated_row(stats_csv: Path) -> dict[str, str]:
    with stats_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return next(row for row in rows if row["Name"] == "Aggregated")


def test_mixed_traffic_answers_without_server_errors_and_the_outbox_drains(live_stack, tmp_path, figure):  # noqa: F811
    from notifications.models import OutboxEmail, OutboxStatus

    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps(build_load_world()))
    live_stack.wait_for_outbox_drained(timeout=60)  # the seeding's own mail first
    mails_before = len(live_stack.smtp.deliveries)
    sent_before = OutboxEmail.objects.filter(status=OutboxStatus.SENT).count()
    log_lines_before = len(live_stack.access_log())

    prefix = tmp_path / "locust"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        live_stack.base_url,
        "-u",
        str(USERS),
        "-r",
        str(max(1, USERS // 4)),
        "-t",
        f"{DURATION}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOCUST_WORLD": str(world_file)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=DURATION + 120, cwd=Path(__file__).parents[2]
    )
    output = (result.stdout + result.stderr)[-6000:]

    total = aggregated_row(Path(f"{prefix}_stats.csv"))
    requests_made = int(total["Request Count"])
    failures = list(csv.DictReader(Path(f"{prefix}_failures.csv").open(newline="")))
    access_log = live_stack.access_log()[log_lines_before:]
    server_errors = [line for line in access_log if line.startswith("5")]
    assert not server_errors, "5xx in gunicorn's access log:\n" + "\n".join(server_errors[:30])
    assert not failures, "Locust failures:\n" + "\n".join(
        f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in failures
    )
    assert result.returncode == 0, output
    assert requests_made >= DURATION, f"only {requests_made} requests in {DURATION} s:\n{output}"
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        by_name = {row["Name"]: int(row["Request Count"]) for row in csv.DictReader(handle)}
    for flow in ("reply (customer)", "reply (engineer)", "workspace", "dashboard queue", "declare E-Down", "escalate"):
        assert by_name.get(flow, 0) > 0, f"no '{flow}' request was made: {by_name}"

    # Every mail the traffic caused is delivered once the traffic stops.
    drained_in = live_stack.wait_for_outbox_drained(timeout=180)
    assert not OutboxEmail.objects.filter(status=OutboxStatus.FAILED).exists()
    sent = OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() - sent_before
    deadline = time.monotonic() + 10
    while len(live_stack.smtp.deliveries) - mails_before < sent and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered = len(live_stack.smtp.deliveries) - mails_before
    assert sent > 0 and delivered >= sent, f"{sent} marked sent, {delivered} arrived at the SMTP sink"

    p50, p95 = total["50%"], total["95%"]
    print(f"\nlocust: {requests_made} requests, {sent} e-mails delivered; per flow {by_name}")
    figure(
        "Load (locust)",
        f"{USERS} users, {requests_made} requests, p50 {p50} ms / p95 {p95} ms, 0 5xx, outbox drained in {drained_in:.1f} s",
    )
