"""Load a large, realistic data set into the benchmark database.

    .venv/bin/python bench/seed.py --cases 100000 --reset

Organizations with skewed sizes (one clearly the largest), their customers, ~30 support
staff, then N cases over three years with their messages, audit events, time entries
and attachment rows, plus one case with exactly 100 messages for the case-page timing.

Rows go in with ``COPY … FROM STDIN`` in batches generated on the fly (memory stays flat
whatever N is), inside one transaction for the people and one for the cases: a failed or
interrupted run leaves no half-loaded table (``--reset`` empties the tables first, in a
transaction of its own). By default the secondary indexes of the
case tables are dropped and rebuilt inside that transaction (much faster than keeping
them up to date row by row at a million cases), and foreign-key triggers are skipped
(``session_replication_role = replica``); every foreign key is then checked with one
anti-join per key before commit. Sequences are reset and the tables VACUUM ANALYZEd.

The data is a function of ``--seed``, ``--cases``, ``--orgs`` and ``--messages-per-case``
(not of ``--batch``): two runs with the same arguments load the same rows.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import os
import queue
import random
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

environment.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import OperationalError, connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Language, Membership, Organization, Plan, Role, Tier, User  # noqa: E402
from cases.models import (  # noqa: E402
    AWAITING_CUSTOMER_STATUSES,
    SEVERITY_RANK,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    CloseReason,
    Message,
    RequestType,
    Severity,
    Status,
    TimeEntry,
    format_case_number,
)
from casetracker.markup import render_markdown  # noqa: E402
from escalation.models import EDownCategory, EnterpriseDownDeclaration, Escalation, Level  # noqa: E402
from sla.models import DEFAULT_TARGETS  # noqa: E402

PASSWORD = "bench-pass-2026"
STAFF_LOGIN = "engineer@support.bench"

BULK_MODELS: tuple[type[models.Model], ...] = (
    Case,
    Message,
    CaseEvent,
    TimeEntry,
    Attachment,
    Escalation,
    EnterpriseDownDeclaration,
)
PEOPLE_MODELS: tuple[type[models.Model], ...] = (Organization, User, Membership)
BIG_CASE_MESSAGES = 100

# --- Mixes ------------------------------------------------------------------------------

OPEN_STATUS_MIX = {
    Status.NEW: 15,
    Status.OPEN: 45,
    Status.WAITING_ON_CUSTOMER: 25,
    Status.SOLUTION_PROPOSED: 15,
}
# Enterprise Down is rare (~0.2% of the open cases); the rest follows the usual mix.
SEVERITY_MIX_OPEN = {
    Severity.ENTERPRISE_DOWN: 0.2,
    Severity.CRITICAL: 9,
    Severity.HIGH: 25,
    Severity.MEDIUM: 45,
    Severity.LOW: 20.8,
}
SEVERITY_MIX_CLOSED = {**SEVERITY_MIX_OPEN, Severity.ENTERPRISE_DOWN: 0.05}
REQUEST_TYPE_MIX = {
    RequestType.INCIDENT: 85,
    RequestType.NEW_VERSION: 4,
    RequestType.LICENSE_KEY: 3,
    RequestType.ACCESS_CREDENTIALS: 3,
    RequestType.FEATURE_REQUEST: 3,
    RequestType.CONSULTATION: 2,
}
TIER_MIX = {Tier.L1: 60, Tier.L2: 30, Tier.L3: 9, Tier.L4: 1}
CHANNEL_MIX = {Channel.WEB: 70, Channel.EMAIL: 15, Channel.PHONE: 10, Channel.API: 5}
CLOSE_REASON_MIX = {CloseReason.CONFIRMED: 70, CloseReason.AUTO_CLOSED: 25, CloseReason.WITHDRAWN: 5}
TIME_ENTRY_MINUTES = (15, 30, 30, 45, 60, 60, 90, 120, 180, 240)

COUNTRIES = (
    ("US", "America/New_York", Language.EN),
    ("US", "America/Los_Angeles", Language.EN),
    ("GB", "Europe/London", Language.EN),
    ("DE", "Europe/Berlin", Language.EN),
    ("FR", "Europe/Paris", Language.FR),
    ("KR", "Asia/Seoul", Language.KO),
    ("CN", "Asia/Shanghai", Language.ZH_HANS),
    ("RU", "Europe/Moscow", Language.RU),
    ("JP", "Asia/Tokyo", Language.EN),
    ("BR", "America/Sao_Paulo", Language.EN),
    ("IN", "Asia/Kolkata", Language.EN),
)
FIRST_NAMES = (
    "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert Sybil Trent Uma "
    "Victor Walter Xena Yusuf Zoe Min-jun Seo-yeon Wei Li Hana Pierre Camille Olga Dmitri Priya Arjun Lucas Sofia"
).split()
LAST_NAMES = (
    "Anderson Brown Chen Dubois Evans Fischer Garcia Hughes Ivanova Jones Kim Lee Martin Nakamura Novak Park "
    "Petrov Quinn Rossi Silva Smith Tanaka Usman Volkov Wang Weber Xu Yamada Zhang Kowalski Moreau Lopez"
).split()
ORG_PREFIXES = (
    "Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Massive Oscorp "
    "Gringotts Aperture Nakatomi Monarch Dunder Prestige Blue Sun Sirius Vehement Gekko Duff Krusty Spacely "
    "Cogswell Rekall Ollivander"
).split()
ORG_SUFFIXES = (
    "Logistics Banking Retail Health Energy Telecom Insurance Media Foods Airlines Pharma Motors Labs Systems "
    "Holdings Mining Textiles Shipping Realty Games"
).split()

PRODUCTS = (
    ("Gateway", ("6.4", "7.0", "7.1", "7.2")),
    ("Ledger", ("2019", "2021", "2023.1", "2024.2")),
    ("Scheduler", ("3.8", "4.0", "4.1")),
    ("Vault", ("11", "12", "13")),
    ("Reports", ("5.5", "6.0")),
    ("Connect", ("1.9", "2.0", "2.3")),
    ("Mobile SDK", ("8.1", "9.0")),
    ("Data Pump", ("4.2", "4.3", "5.0")),
    ("Identity", ("2.2", "3.0")),
    ("Search", ("1.0", "1.4", "2.0")),
)
SYMPTOMS = (
    "timeout on login",
    "replication lag on the standby",
    "crash on startup",
    "memory leak in the worker",
    "slow queries after the nightly job",
    "license key rejected",
    "upgrade fails at step 3",
    "certificate expired",
    "deadlock between two sessions",
    "missing rows in the CSV export",
    "wrong totals in the monthly report",
    "cannot connect through the proxy",
    "high CPU on the application server",
    "error 500 when saving a form",
    "duplicate e-mails to customers",
    "backup job never finishes",
    "users locked out after password change",
    "index corruption reported by the checker",
    "time zone shift in scheduled jobs",
    "disk full on the log volume",
    "question about sizing a new cluster",
    "request for a temporary license",
    "how to configure single sign-on",
    "API returns 429 under load",
    "search results out of date",
)
CONTEXTS = (
    "",
    "",
    " in production",
    " after the upgrade",
    " since Monday",
    " on the standby node",
    " for some users only",
    " in the test environment",
    " after applying the patch",
    " during month-end closing",
)
SENTENCES = (
    "We see this in production since this morning and it affects about {n} users.",
    "The problem started right after we applied the latest patch set.",
    "Logs are attached; the first error appears at {h}:{m:02d} UTC.",
    "Restarting the service helps for a few hours, then it comes back.",
    "We already checked the network and the firewall rules, nothing changed there.",
    "Steps to reproduce: open the console, run the nightly job, wait about {n} minutes.",
    "Our operations team needs a workaround before the weekend.",
    "This worked fine on the previous version.",
    "Please advise whether a hotfix is planned.",
    "The error message is `ERR-{code}: operation timed out`.",
    "We run {n} nodes behind a load balancer, all on the same version.",
    "Could you confirm the supported configuration for this scenario?",
    "The database is about {n} GB and grows roughly 2 GB a week.",
    "A deadlock is reported in the application log every few minutes.",
)
REPLIES = (
    "Thank you for the details. Could you send the full server log and the output of the diagnostics tool?",
    "We reproduced the issue in our lab. It is caused by a known defect; a workaround is below.",
    "Please try setting `max_workers` to {n} and restart the service, then tell us if the problem persists.",
    "The logs show a timeout talking to the database. Can you check the connection pool size?",
    "We have escalated this to the product team and will update you within {n} hours.",
    "Attached is a patched build. Please install it in the test environment first.",
    "Here are the requested logs. The error happened again at {h}:{m:02d}.",
    "The workaround works, thank you. We will schedule the upgrade next month.",
    "Unfortunately the problem is back after the restart.",
    "We applied the change and the job now finishes in {n} minutes.",
    "Internal: looks like the deadlock fixed in build {code}; asked L3 to confirm.",
    "Customer confirmed the fix in production; closing after their go-ahead.",
)


Mix = tuple[list[Any], list[float]]


def weighted(mix: dict[Any, float]) -> Mix:
    """(values, cumulative weights) for ``pick``; choices become plain strings."""
    values = [str(v) for v in mix]
    return values, list(itertools.accumulate(mix.values()))


def pick(rng: random.Random, mix: Mix) -> Any:
    return rng.choices(mix[0], cum_weights=mix[1])[0]


# --- COPY (text format) ---------------------------------------------------------------
#
# Rows are built as tab-joined strings: on this class of machine the csv module spends
# ~60 µs a row scanning long texts for characters to quote, a join ~2 µs. So every value
# handed to ``CopyTable.add`` is already a string in COPY text format: texts escaped
# once (``escape``), NULL as ``\N``, booleans ``t``/``f``, timestamps from ``Stamp``.


NULL = r"\N"
TRUE, FALSE = "t", "f"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def encode(value: Any) -> str:
    """Any Python value as COPY text (the slow path, for small tables and defaults)."""
    if value is None:
        return NULL
    if value is True or value is False:
        return TRUE if value else FALSE
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return escape(json.dumps(value))
    return escape(str(value))


class Stamp:
    """Epoch seconds (float) to a UTC ``timestamptz`` literal, from two lookup tables:
    formatting a datetime costs ~8 µs here, two lookups and a concatenation well under 1."""

    CLOCK = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]

    def __init__(self) -> None:
        self.days: dict[int, str] = {}

    def __call__(self, moment: float) -> str:
        day, second = divmod(int(moment), 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%d ")
        return prefix + self.CLOCK[second]


class CopyTable:
    """Rows for one model, sent with ``COPY … FROM STDIN`` when flushed.

    Rows are tuples of COPY-text strings in the order of ``columns`` (attnames); every
    other concrete field gets its model default, so a field added later with a default
    does not break the seeder. A model field whose column the database does not have yet
    (a migration not written or not applied) is left out, with a warning.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__}: no such fields {sorted(unknown)}")
        with connection.cursor() as cursor:
            existing = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
        missing = [fields[name].column for name in columns if fields[name].column not in existing]
        if missing:
            raise RuntimeError(f"{model._meta.db_table} has no column {missing}: run manage.py migrate")
        rest = []
        for name, field in fields.items():
            if name in columns:
                continue
            if field.column in existing:
                rest.append(field)
            else:
                print(f"  warning: {model._meta.db_table}.{field.column} is not in the database", file=sys.stderr)
        names = [fields[name].column for name in columns] + [f.column for f in rest]
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
        defaults = [encode(f.get_default()) for f in rest]
        self.suffix = "".join("\t" + value for value in defaults) + "\n"
        self.lines: list[str] = []
        self.total = 0

    def add(self, row: tuple[str, ...]) -> None:
        self.lines.append("\t".join(row) + self.suffix)

    def add_values(self, *values: Any) -> None:
        self.add(tuple(encode(v) for v in values))

    def take(self) -> tuple[str, bytes, int] | None:
        """The pending rows as one COPY payload: (statement, UTF-8 data, row count)."""
        if not self.lines:
            return None
        payload = (self.sql, "".join(self.lines).encode(), len(self.lines))
        self.total += len(self.lines)
        self.lines = []
        return payload

    def flush(self, cursor: Any) -> None:
        payload = self.take()
        if payload is not None:
            copy(cursor, payload)


def copy(cursor: Any, payload: tuple[str, bytes, int]) -> None:
    # BytesIO shares the bytes (a StringIO would hold a 4-byte-per-character copy).
    # 1 MiB reads: psycopg2 takes the GIL for every read of the buffer, and the
    # generator thread holds it most of the time.
    cursor.copy_expert(payload[0], io.BytesIO(payload[1]), size=1 << 20)


# --- Progress ---------------------------------------------------------------------------


def clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """One self-rewriting line on stderr: done/total, rate, elapsed and ETA (a line every
    5 s instead when stderr is not a terminal)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started = label, total, time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_print = 0.0

    def update(self, done: int, extra: str = "") -> None:
        now = time.monotonic()
        if not self.tty and done < self.total and now - self.last_print < 5:
            return
        self.last_print = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed else 0.0
        eta = (self.total - done) / rate if rate else 0.0
        width = 30
        filled = int(width * done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        line = (
            f"{self.label} [{bar}] {done:,}/{self.total:,} {100 * done / max(self.total, 1):5.1f}% "
            f"{rate:,.0f}/s elapsed {clock(elapsed)} ETA {clock(eta)} {extra}"
        )
        sys.stderr.write(("\r" + line + "\x1b[K") if self.tty else line + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


# --- Text -------------------------------------------------------------------------------


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        n=rng.randint(2, 400), h=rng.randint(0, 23), m=rng.randint(0, 59), code=rng.randint(1000, 9999)
    )


def text_pool(
    rng: random.Random, sources: Sequence[str], size: int, sentences: tuple[int, int]
) -> list[tuple[str, str]]:
    """(markdown, html) pairs, COPY-escaped, rendered once through the real renderer."""
    pool = []
    for _ in range(size):
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            paragraphs.append(" ".join(fill(rng, rng.choice(sources)) for _ in range(rng.randint(*sentences))))
        body = "\n\n".join(paragraphs)
        pool.append((escape(body), escape(render_markdown(body))))
    return pool


# --- People -----------------------------------------------------------------------------


class People:
    """The organizations, staff and customers, as the case generator needs them (ids as
    COPY text, since they are only ever written)."""

    def __init__(self) -> None:
        self.org_ids: list[str] = []
        self.org_names: list[str] = []
        self.org_has_partner: list[bool] = []
        self.org_plans: list[str] = []
        self.org_cum_weights: list[float] = []
        self.customers_of: list[list[str]] = []
        self.engineers_by_tier: dict[str, list[str]] = {}
        self.managers: list[str] = []
        self.operators: list[str] = []
        self.director = ""
        self.staff_names: dict[str, str] = {}
        self.manager_of: dict[str, str] = {}
        self.staff_login_id = ""
        self.customer_login = ""
        self.customer_login_id = ""
        self.users = 0


def seed_people(
    rng: random.Random, *, cases: int, orgs: int, cursor: Any, now: datetime, customers: int | None = None
) -> People:
    people = People()
    password = make_password(PASSWORD)
    user_table = CopyTable(
        User,
        [
            "id",
            "password",
            "email",
            "name",
            "language",
            "timezone",
            "role",
            "tier",
            "manager_id",
            "active_organization_id",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
        ],
    )
    org_table = CopyTable(
        Organization,
        [
            "id",
            "name",
            "customer_number",
            "plan",
            "production",
            "maintenance_until",
            "partner_id",
            "country",
            "timezone",
            "language",
            "account_manager_id",
            "created_at",
        ],
    )
    membership_table = CopyTable(Membership, ["id", "user_id", "organization_id", "is_primary", "created_at"])
    joined = now - timedelta(days=4 * 365)
    user_ids = itertools.count(1)

    def staff(email: str, name: str, role: str, tier: str, manager: str | None) -> str:
        pk = next(user_ids)
        user_table.add_values(
            pk, password, email, name, "en", "UTC", role, tier, manager, None, True, False, False, joined
        )
        people.staff_names[str(pk)] = escape(json.dumps(name))
        if manager:
            people.manager_of[str(pk)] = manager
        return str(pk)

    people.director = staff("director@support.bench", "Dana Director", Role.DIRECTOR, "", None)
    people.managers = [
        staff(f"manager{i}@support.bench", f"Morgan Manager {i}", Role.MANAGER, "", people.director)
        for i in range(1, 5)
    ]
    engineer_counts = {Tier.L1: 12, Tier.L2: 8, Tier.L3: 5}
    for tier, count in engineer_counts.items():
        people.engineers_by_tier[tier] = []
        for i in range(1, count + 1):
            email = STAFF_LOGIN if (tier, i) == (Tier.L2, 1) else f"{tier.lower()}.engineer{i:02d}@support.bench"
            manager = people.managers[(i - 1) % len(people.managers)]
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({tier})"
            pk = staff(email, name, Role.ENGINEER, tier, manager)
            people.engineers_by_tier[tier].append(pk)
            if email == STAFF_LOGIN:
                people.staff_login_id = pk
    people.engineers_by_tier[Tier.L4] = people.engineers_by_tier[Tier.L3]
    people.operators = [
        staff(f"operator{i}@support.bench", f"Pat Operator {i}", Role.OPERATOR, "", people.managers[0]) for i in (1, 2)
    ]

    # Organization sizes follow Zipf's law: the first is clearly the largest (~15% of the
    # cases at 400 organizations), a handful are large, most are small.
    weights = [1.0 / (rank + 1) for rank in range(orgs)]
    people.org_cum_weights = list(itertools.accumulate(weights))
    total_weight = people.org_cum_weights[-1]
    partners = list(range(orgs - max(1, orgs // 30), orgs))  # a few small resellers
    names_available = len(ORG_PREFIXES) * len(ORG_SUFFIXES)
    for index in range(orgs):
        prefix = ORG_PREFIXES[index % len(ORG_PREFIXES)]
        suffix = ORG_SUFFIXES[(index // len(ORG_PREFIXES)) % len(ORG_SUFFIXES)]
        name = f"{prefix} {suffix}" + ("" if index < names_available else f" {index}")
        country, tz, language = COUNTRIES[index % len(COUNTRIES)]
        share = weights[index] / total_weight
        if share > 0.01 or index < orgs // 10:
            plan = Plan.ENTERPRISE
        else:
            plan = Plan.STANDARD if index < orgs * 0.4 else Plan.BASIC
        partner = None
        if index not in partners and index > orgs // 5 and rng.random() < 0.15:
            partner = rng.choice(partners) + 1
        people.org_has_partner.append(partner is not None)
        people.org_plans.append(str(plan))
        maintenance = (now + timedelta(days=rng.randint(-120, 700))).date() if rng.random() < 0.8 else None
        org_table.add_values(
            index + 1,
            name,
            f"CN-{100000 + index}",
            plan,
            rng.random() < 0.7,
            maintenance,
            partner,
            country,
            tz,
            language,
            rng.choice(people.managers),
            joined - timedelta(days=rng.randint(0, 1500)),
        )
        people.org_ids.append(str(index + 1))
        people.org_names.append(name)

    membership_ids = itertools.count(1)
    for index in range(orgs):
        if customers is None:
            # About one customer contact per 40 cases the organization will log.
            count = max(1, min(2000, round(cases * weights[index] / total_weight / 40)))
        else:
            # A fixed head count shared by the same law as the cases (at least one each).
            count = max(1, round(customers * weights[index] / total_weight))
        country, tz, language = COUNTRIES[index % len(COUNTRIES)]
        domain = people.org_names[index].lower().replace(" ", "-") + ".bench"
        members = []
        for i in range(count):
            pk = next(user_ids)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            login = index == 0 and i == 0
            if login:
                email, name = f"customer@{people.org_names[0].split()[0].lower()}.bench", "Casey Customer"
                people.customer_login, people.customer_login_id = email, str(pk)
            else:
                email, name = f"{first.lower()}.{last.lower()}.{pk}@{domain}", f"{first} {last}"
            user_table.add_values(
                pk, password, email, name, language, tz, Role.CUSTOMER, "", None, index + 1, True, False, False, joined
            )
            membership_table.add_values(next(membership_ids), pk, index + 1, True, joined)
            # A few people also work for a second organization (a subsidiary, a client).
            if orgs > 1 and not login and rng.random() < 0.03:
                other = rng.randrange(orgs)
                if other != index:
                    membership_table.add_values(next(membership_ids), pk, other + 1, False, joined)
            members.append(str(pk))
        people.customers_of.append(members)

    for table in (org_table, user_table, membership_table):
        table.flush(cursor)
    people.users = user_table.total
    return people


# --- Cases ------------------------------------------------------------------------------


CASE_COLUMNS = [
    "id",
    "organization_id",
    "requester_id",
    "assignee_id",
    "created_by_id",
    "title",
    "description",
    "description_html",
    "product",
    "version",
    "request_type",
    "severity",
    "severity_rank",
    "status",
    "tier",
    "escalation_level",
    "channel",
    "created_at",
    "updated_at",
    "status_changed_at",
    "closed_at",
    "close_reason",
    "message_count",
    "spent_minutes",
    "billable_minutes",
    "first_response_at",
    "first_response_due_at",
    "next_update_due_at",
    "spr_number",
    "last_staff_reply_at",
    "sla_due_at",
    "sla_breach_alerted_at",
    "auto_close_at",
    "auto_close_reminder_at",
    "auto_close_reminded_at",
]
MESSAGE_COLUMNS = ["id", "case_id", "author_id", "body", "body_html", "internal", "channel", "created_at"]
EVENT_COLUMNS = ["id", "case_id", "actor_id", "channel", "kind", "before", "after", "note", "public", "created_at"]
TIME_COLUMNS = ["id", "case_id", "engineer_id", "minutes", "billable", "note", "created_at"]
ATTACHMENT_COLUMNS = [
    "id",
    "case_id",
    "message_id",
    "file",
    "name",
    "size",
    "content_type",
    "uploaded_by_id",
    "internal",
    "created_at",
]
ESCALATION_COLUMNS = [
    "id",
    "case_id",
    "level",
    "channel",
    "requested_by_id",
    "reason",
    "manager_id",
    "created_at",
    "acknowledged_at",
    "acknowledged_by_id",
]
EDOWN_COLUMNS = [
    "id",
    "case_id",
    "declared_by_id",
    "channel",
    "category",
    "total_users",
    "affected_users",
    "actions_taken",
    "down_since",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_on_site",
    "contact_speaks_english",
    "created_at",
    "ended_at",
]
ATTACHMENT_NAMES = (
    ("server.log", "text/plain"),
    ("diagnostics.zip", "application/zip"),
    ("screenshot.png", "image/png"),
    ("config.yaml", "application/yaml"),
    ("trace.txt", "text/plain"),
)
HOUR, DAY = 3600.0, 86400.0
WEB, SYSTEM, PHONE = str(Channel.WEB), str(Channel.SYSTEM), str(Channel.PHONE)
CLOSED, NEW, OPEN = str(Status.CLOSED), str(Status.NEW), str(Status.OPEN)
SOLUTION_PROPOSED = str(Status.SOLUTION_PROPOSED)
CONSULTATION, INCIDENT = str(RequestType.CONSULTATION), str(RequestType.INCIDENT)
EDOWN, HIGH = str(Severity.ENTERPRISE_DOWN), str(Severity.HIGH)
RANK = {str(k): str(v) for k, v in SEVERITY_RANK.items()}
# plan -> severity -> (first response, next update) in minutes, from the SLA defaults.
SLA_TARGETS = {
    plan: {severity: (first, update) for severity, (first, update, _clock) in targets.items()}
    for plan, targets in DEFAULT_TARGETS.items()
}
AWAITING = frozenset(str(s) for s in AWAITING_CUSTOMER_STATUSES)
CLOSING = {  # close reason -> (actor is the requester?, channel, status before closing)
    str(CloseReason.CONFIRMED): (True, WEB, escape(json.dumps(SOLUTION_PROPOSED))),
    str(CloseReason.AUTO_CLOSED): (False, SYSTEM, escape(json.dumps(SOLUTION_PROPOSED))),
    str(CloseReason.WITHDRAWN): (True, WEB, escape(json.dumps(OPEN))),
}
CLOSED_JSON = escape(json.dumps(CLOSED))


def poisson_cum(mean: float, top: int) -> tuple[list[int], list[float]]:
    values = list(range(top + 1))
    return values, list(itertools.accumulate(math.exp(-mean) * mean**k / math.factorial(k) for k in values))


class CaseGenerator:
    """Cases and what they own, as COPY rows. Times are epoch seconds until written."""

    def __init__(
        self,
        rng: random.Random,
        people: People,
        *,
        cases: int,
        messages_per_case: float,
        now: datetime,
        escalation_rate: float = 0.035,
    ) -> None:
        self.rng, self.people, self.n = rng, people, cases
        self.escalation_rate = escalation_rate
        self.now = now.timestamp()
        self.start = self.now - 3 * 365 * DAY
        self.stamp = Stamp()
        self.open_status = weighted(OPEN_STATUS_MIX)
        self.severity_open = weighted(SEVERITY_MIX_OPEN)
        self.severity_closed = weighted(SEVERITY_MIX_CLOSED)
        self.request_type = weighted(REQUEST_TYPE_MIX)
        self.tier = weighted(TIER_MIX)
        self.channel = weighted(CHANNEL_MIX)
        self.close_reason = weighted(CLOSE_REASON_MIX)
        # At least one message per case, then Poisson: the mean is messages_per_case.
        self.extra_messages = poisson_cum(max(messages_per_case - 1, 0.0), 15)
        # Rendering Markdown costs ~2 ms a text: render a pool once and draw from it.
        self.description_pool = text_pool(rng, SENTENCES, 300, (2, 4))
        self.reply_pool = text_pool(rng, REPLIES + SENTENCES, 600, (1, 3))
        self.edown_categories = [str(c) for c in EDownCategory.values]
        self.all_engineers = [pk for tier in (Tier.L1, Tier.L2, Tier.L3) for pk in people.engineers_by_tier[tier]]
        self.big_case_index = cases - 1 - cases // 1000
        self.big_case_id = 0
        self.message_ids = itertools.count(1)
        self.event_ids = itertools.count(1)
        self.time_ids = itertools.count(1)
        self.attachment_ids = itertools.count(1)
        self.escalation_ids = itertools.count(1)
        self.edown_ids = itertools.count(1)
        self.tables = {
            Case: CopyTable(Case, CASE_COLUMNS),
            Message: CopyTable(Message, MESSAGE_COLUMNS),
            CaseEvent: CopyTable(CaseEvent, EVENT_COLUMNS),
            TimeEntry: CopyTable(TimeEntry, TIME_COLUMNS),
            Attachment: CopyTable(Attachment, ATTACHMENT_COLUMNS),
            Escalation: CopyTable(Escalation, ESCALATION_COLUMNS),
            EnterpriseDownDeclaration: CopyTable(EnterpriseDownDeclaration, EDOWN_COLUMNS),
        }

    def batch(self, first: int, last: int) -> None:
        """Generate cases ``first``..``last - 1`` (0-based) and everything they own."""
        rng, people = self.rng, self.people
        organizations = range(len(people.org_ids))
        for index in range(first, last):
            # Drawn case by case, so the data does not depend on the batch size.
            org_index = rng.choices(organizations, cum_weights=people.org_cum_weights)[0]
            extra = rng.choices(self.extra_messages[0], cum_weights=self.extra_messages[1])[0]
            self.case(index, org_index, 1 + extra)

    def case(self, index: int, org_index: int, message_count: int) -> None:
        rng, people, now, stamp = self.rng, self.people, self.now, self.stamp
        random_ = rng.random
        pk = str(index + 1)
        big = index == self.big_case_index
        if big:
            org_index, message_count = 0, BIG_CASE_MESSAGES
            self.big_case_id = index + 1
        created = self.start + (now - self.start) * (index + random_()) / self.n
        age_days = (now - created) / DAY
        # Recent cases are still being worked on; old ones are almost all closed (~80% overall).
        is_open = big or random_() < min(0.95, 0.165 + 0.6 * math.exp(-age_days / 60))
        if big:
            status, severity = OPEN, HIGH
        elif is_open:
            status, severity = pick(rng, self.open_status), pick(rng, self.severity_open)
        else:
            status, severity = CLOSED, pick(rng, self.severity_closed)
        requester = people.customer_login_id if big else rng.choice(people.customers_of[org_index])
        request_type = pick(rng, self.request_type)
        if request_type == CONSULTATION and people.org_has_partner[org_index]:
            request_type = INCIDENT
        tier = pick(rng, self.tier)
        channel = pick(rng, self.channel)
        created_by = rng.choice(people.operators) if channel == PHONE else requester

        if big:
            assignee = people.staff_login_id
        elif status == NEW:
            assignee = None if random_() < 0.7 else rng.choice(people.engineers_by_tier[tier])
        elif is_open and random_() < 0.05:
            assignee = None
        else:
            assignee = rng.choice(people.engineers_by_tier[tier])

        # Timeline: the case lives from `created` to `end` (closed, or its last update).
        if status == CLOSED:
            end = min(created + rng.lognormvariate(math.log(72), 1.2) * HOUR, now - 60)
            close_reason = pick(rng, self.close_reason)
        else:
            end = now - random_() * min(age_days, 10) * DAY
            close_reason = ""
        end = max(end, created + 1)
        length = end - created

        product, versions = rng.choice(PRODUCTS)
        version = rng.choice(versions)
        title = f"{product} {version}: {rng.choice(SYMPTOMS)}{rng.choice(CONTEXTS)}"
        description, description_html = rng.choice(self.description_pool)

        # Messages: the customer and support take turns; some staff notes are internal.
        staff_author = assignee or rng.choice(self.all_engineers)
        times = sorted(created + random_() * length for _ in range(message_count))
        add_message = self.tables[Message].add
        first_response = last_staff_reply = None
        attachment_rate = 0.1 if big else 0.04
        reply_pool = self.reply_pool
        for turn, at in enumerate(times):
            customer_turn = turn % 2 == 0 or status == NEW
            author = requester if customer_turn else staff_author
            internal = not customer_turn and random_() < 0.25
            if not customer_turn and not internal:
                last_staff_reply = at
                if first_response is None:
                    first_response = at
            body, body_html = rng.choice(reply_pool)
            message_id = str(next(self.message_ids))
            when = stamp(at)
            add_message((message_id, pk, author, body, body_html, TRUE if internal else FALSE, WEB, when))
            if random_() < attachment_rate:
                name, content_type = rng.choice(ATTACHMENT_NAMES)
                path = f"attachments/{when[:4]}/{when[5:7]}/{rng.getrandbits(128):032x}{Path(name).suffix}"
                self.tables[Attachment].add(
                    (
                        str(next(self.attachment_ids)),
                        pk,
                        message_id,
                        path,
                        name,
                        str(rng.randint(200, 5_000_000)),
                        content_type,
                        author,
                        TRUE if internal else FALSE,
                        when,
                    )
                )

        # The audit trail: logged, sometimes assigned, closed.
        add_event = self.tables[CaseEvent].add
        logged = escape(json.dumps({"severity": severity, "request_type": request_type, "status": NEW}))
        add_event(
            (str(next(self.event_ids)), pk, created_by, channel, "created", NULL, logged, "", TRUE, stamp(created))
        )
        if assignee and random_() < 0.2:
            at = created + min(length, 600) * random_()
            add_event(
                (
                    str(next(self.event_ids)),
                    pk,
                    rng.choice(people.managers),
                    WEB,
                    "assigned",
                    NULL,
                    people.staff_names[assignee],
                    "",
                    TRUE,
                    stamp(at),
                )
            )
        if status == CLOSED:
            by_requester, event_channel, before = CLOSING[close_reason]
            actor = requester if by_requester else NULL
            add_event(
                (
                    str(next(self.event_ids)),
                    pk,
                    actor,
                    event_channel,
                    "status",
                    before,
                    CLOSED_JSON,
                    "",
                    TRUE,
                    stamp(end),
                )
            )

        # Time: about 0.3 entries a case, billable for consultations and some others.
        spent = billable_minutes = 0
        if assignee and random_() < 0.25:
            add_time = self.tables[TimeEntry].add
            for _ in range(2 if random_() < 0.2 else 1):
                minutes = rng.choice(TIME_ENTRY_MINUTES)
                billable = request_type == CONSULTATION or random_() < 0.2
                spent += minutes
                billable_minutes += minutes if billable else 0
                at = created + random_() * length
                add_time(
                    (str(next(self.time_ids)), pk, assignee, str(minutes), TRUE if billable else FALSE, "", stamp(at))
                )

        awaiting = status in AWAITING
        if status == CLOSED:
            updated = status_changed = end
        elif awaiting:
            # Waiting on the customer since less than the 5 business days of auto-close.
            status_changed = max(created + 1, now - random_() * 6 * DAY)
            updated = max(end, times[-1], status_changed)
        else:
            updated = max(end, times[-1])
            status_changed = created if status == NEW else created + (updated - created) * rng.uniform(0.5, 1)

        # SLA clocks as cases.services.clocks keeps them, in calendar rather than business
        # time (close enough for the queues and the jobs that read them).
        first_minutes, update_minutes = SLA_TARGETS[people.org_plans[org_index]][severity]
        first_response_due = created + first_minutes * 60
        next_update_due = sla_due = breach_alerted = None
        if status != CLOSED:
            pending = [] if first_response is not None else [first_response_due]
            if not awaiting:
                next_update_due = (last_staff_reply or created) + update_minutes * 60
                pending.append(next_update_due)
            sla_due = min(pending) if pending else None
            if sla_due is not None and sla_due < now:
                breach_alerted = sla_due + rng.randint(1, 10) * 60
        auto_close = reminder = reminded = None
        if awaiting:
            auto_close, reminder = status_changed + 7 * DAY, status_changed + 6 * DAY
            reminded = reminder + 300 if reminder < now else None
        escalation = "none"
        if random_() < self.escalation_rate:
            escalation = "M2" if random_() < 0.15 else "M1"
            self.escalations(pk, escalation, requester, assignee, created, length, status == CLOSED)
        if severity == EDOWN:
            self.edown(pk, requester, channel, created, end if status == CLOSED else None)
        self.tables[Case].add(
            (
                pk,
                people.org_ids[org_index],
                requester,
                assignee or NULL,
                created_by,
                title,
                description,
                description_html,
                product,
                version,
                request_type,
                severity,
                RANK[severity],
                status,
                tier,
                escalation,
                channel,
                stamp(created),
                stamp(updated),
                stamp(status_changed),
                stamp(end) if status == CLOSED else NULL,
                close_reason,
                str(message_count),
                str(spent),
                str(billable_minutes),
                stamp(first_response) if first_response is not None else NULL,
                stamp(first_response_due),
                stamp(next_update_due) if next_update_due is not None else NULL,
                f"SPR-{rng.randint(10000, 99999)}" if random_() < 0.02 else "",
                stamp(last_staff_reply) if last_staff_reply is not None else NULL,
                stamp(sla_due) if sla_due is not None else NULL,
                stamp(breach_alerted) if breach_alerted is not None else NULL,
                stamp(auto_close) if auto_close is not None else NULL,
                stamp(reminder) if reminder is not None else NULL,
                stamp(reminded) if reminded is not None else NULL,
            )
        )

    def escalations(
        self, pk: str, level: str, requester: str, assignee: str | None, created: float, length: float, closed: bool
    ) -> None:
        """M1 to the assignee's manager; M2 (after an M1) to the director."""
        rng, people, stamp = self.rng, self.people, self.stamp
        at = created + rng.random() * length / 2
        steps = [(str(Level.M1), people.manager_of.get(assignee or "", people.managers[0]), at)]
        if level == "M2":
            steps.append((str(Level.M2), people.director, at + rng.random() * length / 2))
        for step, routed_to, when in steps:
            acknowledged = closed or rng.random() < 0.7
            self.tables[Escalation].add(
                (
                    str(next(self.escalation_ids)),
                    pk,
                    step,
                    WEB,
                    requester,
                    "No progress for two days and production is affected.",
                    routed_to,
                    stamp(when),
                    stamp(when + rng.randint(5, 240) * 60) if acknowledged else NULL,
                    routed_to if acknowledged else NULL,
                )
            )

    def edown(self, pk: str, requester: str, channel: str, created: float, ended: float | None) -> None:
        rng, stamp = self.rng, self.stamp
        self.tables[EnterpriseDownDeclaration].add(
            (
                str(next(self.edown_ids)),
                pk,
                requester,
                channel,
                rng.choice(self.edown_categories),
                "500",
                str(rng.randint(400, 500)),
                "Restarted the servers and failed over to the standby; no change.",
                stamp(created - rng.randint(5, 120) * 60),
                "Night Shift Lead",
                "+1 555 0100",
                "oncall@example.com",
                TRUE,
                TRUE,
                stamp(created),
                stamp(ended) if ended is not None else NULL,
            )
        )

    def take(self) -> list[tuple[str, bytes, int]]:
        """Everything generated since the last call, parents first."""
        return [p for p in (self.tables[model].take() for model in BULK_MODELS) if p is not None]


class Pipeline:
    """Generate the next batch in a thread while the database loads the current one:
    Python on one core, PostgreSQL on the other. At most ``depth`` batches wait, so
    memory stays flat whatever the number of cases."""

    DONE = object()

    def __init__(self, generator: CaseGenerator, *, cases: int, batch: int, depth: int = 2) -> None:
        self.generator, self.cases, self.batch = generator, cases, batch
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.generating = 0.0
        self.thread = threading.Thread(target=self._produce, name="seed-generator", daemon=True)

    def _put(self, item: Any) -> None:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _produce(self) -> None:
        try:
            for first in range(0, self.cases, self.batch):
                if self.stop.is_set():
                    return
                last = min(first + self.batch, self.cases)
                started = time.thread_time()
                self.generator.batch(first, last)
                payloads = self.generator.take()
                self.generating += time.thread_time() - started
                self._put((last, payloads))
            self._put(self.DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            self._put(error)

    def __iter__(self) -> Iterator[tuple[int, list[tuple[str, bytes, int]]]]:
        self.thread.start()
        try:
            while True:
                item = self.queue.get()
                if item is self.DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.stop.set()


# --- Database housekeeping ------------------------------------------------------------


def table_names(model_list: Iterable[type[models.Model]]) -> list[str]:
    return [m._meta.db_table for m in model_list]


def secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """Indexes that back no constraint (so not the primary keys or unique constraints)."""
    cursor.execute(
        """
        SELECT quote_ident(ix.relname), pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_class ix ON ix.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY t.relname, ix.relname
        """,
        [tables],
    )
    return list(cursor.fetchall())


def check_foreign_keys(cursor: Any, model_list: Iterable[type[models.Model]]) -> None:
    """With FK triggers off during the load, prove every key points at a row."""
    for model in model_list:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._meta
            table, column = model._meta.db_table, field.column
            cursor.execute(
                f'SELECT count(*) FROM "{table}" x WHERE x."{column}" IS NOT NULL '  # noqa: S608 - identifiers from _meta
                f'AND NOT EXISTS (SELECT 1 FROM "{target.db_table}" y WHERE y."{target.pk.column}" = x."{column}")'
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                raise RuntimeError(f"{table}.{column}: {orphans} rows point at no {target.db_table} row")


def reset_sequences(cursor: Any, model_list: Iterable[type[models.Model]]) -> None:
    for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
        cursor.execute(sql)


def truncate_all(cursor: Any) -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.sessions.models import Session
    from rest_framework.authtoken.models import Token

    from accounts.models import LoginAttempt
    from notifications.models import OutboxEmail

    tables = table_names((*BULK_MODELS, *PEOPLE_MODELS, LoginAttempt, OutboxEmail, Session, Token, LogEntry))
    # CASCADE also empties any later table that points at these (escalations, SLA rows…).
    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def ensure_database() -> bool:
    """Create the benchmark database if it does not exist yet (True if created)."""
    try:
        connection.ensure_connection()
        return False
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
    import psycopg2

    settings = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(settings['NAME'])}")
    admin.close()
    return True


# --- Knowledge base (a child process) ---------------------------------------------------


class KnowledgeBase:
    """``bench/seed_kb.py --articles N`` in a child process, started once the people are
    committed (it adds its own author and customer to them), so its COPY, UPDATEs and
    index builds overlap with the cases' load: the two loads keep both cores busy where
    one alone leaves one idle (the index rebuilds, VACUUM). Its output goes to
    ``bench/results/seed_kb.log``; its last line is shown in the progress bar."""

    def __init__(self, articles: int, seed: int) -> None:
        environment.RESULTS.mkdir(parents=True, exist_ok=True)
        self.articles = articles
        self.log_path = environment.RESULTS / "seed_kb.log"
        self.log = self.log_path.open("wb")
        self.started = time.monotonic()
        self.seconds: float | None = None
        command = [sys.executable, str(Path(__file__).with_name("seed_kb.py")), "--articles", str(articles)]
        command += ["--seed", str(seed)]
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )

    def status(self) -> str:
        try:
            tail = self.log_path.read_bytes()[-400:].decode(errors="replace")
        except OSError:
            return ""
        lines = [line.strip() for line in tail.replace("\r", "\n").split("\n") if line.strip()]
        return ("KB: " + lines[-1][:48]) if lines else "KB: starting"

    def finished(self) -> bool:
        if self.process.poll() is None:
            return False
        if self.seconds is None:
            self.seconds = time.monotonic() - self.started
            self.log.close()
        return True

    def wait(self) -> None:
        """Wait for the child, with its elapsed time and last line on one line."""
        tty, last_print = sys.stderr.isatty(), 0.0
        while not self.finished():
            now = time.monotonic()
            if tty or now - last_print >= 5:
                last_print = now
                line = f"knowledge base ({self.articles:,} articles): {clock(now - self.started)} | {self.status()}"
                sys.stderr.write(("\r" + line + "\x1b[K") if tty else line + "\n")
                sys.stderr.flush()
            time.sleep(1)
        if tty:
            sys.stderr.write("\n")
        if self.process.returncode:
            sys.exit(f"bench: seed_kb.py failed (exit {self.process.returncode}); see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()


# --- Main -------------------------------------------------------------------------------


# The data set at 1,000,000 cases; ``--profile`` scales it to any case count.
PROFILE_1M = {
    "cases": 1_000_000,
    "orgs": 2_000,
    "users": 20_000,
    "messages_per_case": 3.0,
    # 20,000 escalation rows: 1.74% of the cases escalate, 15% of those twice (M1 then M2).
    "escalation_rate": 0.0174,
    "kb_articles": 100_000,
}
PROFILE_FLOORS = {"orgs": 10, "users": 100, "kb_articles": 500}


def profile(name: str) -> dict[str, Any]:
    """``1m``, ``100k``, ``10k``, ``250000`` …: the 1M data set scaled to that many cases."""
    text = name.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        cases = round(float(text[:-1] if factor > 1 else text) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a profile: {name!r} (try 10k, 100k, 1m)") from None
    if cases < 1:
        raise argparse.ArgumentTypeError("a profile needs at least one case")
    scale = cases / PROFILE_1M["cases"]
    values: dict[str, Any] = {"name": name, "cases": cases}
    for key in ("orgs", "users", "kb_articles"):
        values[key] = max(PROFILE_FLOORS[key], round(PROFILE_1M[key] * scale))
    values["messages_per_case"] = PROFILE_1M["messages_per_case"]
    values["escalation_rate"] = PROFILE_1M["escalation_rate"]
    return values


STAFF_COUNT = 32  # director, 4 managers, 25 engineers, 2 operators (seed_people)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--profile",
        type=profile,
        default=None,
        help="the issue's data set scaled to a case count: 1m = 1,000,000 cases, 2,000 organizations, "
        "20,000 users, 3 messages a case, 20,000 escalations, 100,000 KB articles; 10k, 100k … scale "
        "everything proportionally. Options given explicitly override it.",
    )
    parser.add_argument("--cases", type=int, default=None, help="number of cases (default 100,000)")
    parser.add_argument("--orgs", type=int, default=None, help="organizations (default cases/250, 10..4000)")
    parser.add_argument(
        "--users", type=int, default=None, help="users, staff included (default one customer per 40 cases)"
    )
    parser.add_argument("--messages-per-case", type=float, default=None, help="average messages per case (default 3)")
    parser.add_argument("--escalation-rate", type=float, default=None, help="share of cases escalated (default 0.035)")
    parser.add_argument(
        "--kb-articles",
        type=int,
        default=None,
        help="knowledge-base articles loaded by bench/seed_kb.py in parallel with the cases (default 0)",
    )
    parser.add_argument("--reset", action="store_true", help="empty the benchmark tables first")
    parser.add_argument("--batch", type=int, default=5_000, help="cases per COPY batch (default 5,000)")
    parser.add_argument(
        "--indexes",
        choices=("rebuild", "keep"),
        default="rebuild",
        help="rebuild: drop the case tables' secondary indexes and build them after the load "
        "(default); keep: maintain them row by row",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--no-vacuum", action="store_true", help="skip the final VACUUM ANALYZE (ANALYZE only)")
    args = parser.parse_args(argv)
    defaults = {
        "cases": 100_000,
        "orgs": None,
        "users": None,
        "messages_per_case": 3.0,
        "escalation_rate": 0.035,
        "kb_articles": 0,
    }
    for key, value in (args.profile or defaults).items():
        if key != "name" and getattr(args, key) is None:
            setattr(args, key, value)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    if args.users is not None and args.users <= STAFF_COUNT:
        parser.error(f"--users must be more than the {STAFF_COUNT} staff")
    if args.orgs is None:
        args.orgs = max(10, min(4000, args.cases // 250))
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    timings: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        timings[name] = time.monotonic() - since
        print(f"  {name}: {timings[name]:.1f} s", file=sys.stderr)
        return time.monotonic()

    if ensure_database():
        print(f"Created database {connection.settings_dict['NAME']}", file=sys.stderr)
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        if args.reset:
            truncate_all(cursor)
        elif Case.objects.exists() or User.objects.exists():
            sys.exit("bench: the database already holds users or cases; pass --reset to start over.")

    mark = time.monotonic()
    print(
        f"Seeding {args.cases:,} cases for {args.orgs:,} organizations into {connection.settings_dict['NAME']}",
        file=sys.stderr,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        customers = None if args.users is None else args.users - STAFF_COUNT
        people = seed_people(rng, cases=args.cases, orgs=args.orgs, cursor=cursor, now=now, customers=customers)
        check_foreign_keys(cursor, PEOPLE_MODELS)
        reset_sequences(cursor, PEOPLE_MODELS)
    mark = phase(f"people ({args.orgs:,} organizations, {people.users:,} users)", mark)
    knowledge = KnowledgeBase(args.kb_articles, args.seed) if args.kb_articles else None
    try:
        generator, mark = load_cases(args, rng, people, now, mark, phase, knowledge)
    except BaseException:
        if knowledge:
            knowledge.stop()
        raise
    if knowledge:
        knowledge.wait()
        mark = phase(f"knowledge base, {knowledge.seconds:.0f} s in parallel (log: {knowledge.log_path})", mark)
    report(
        args,
        people,
        generator,
        started=started,
        load_at_start=load_at_start,
        timings=timings,
        now=now,
        knowledge=knowledge,
    )


def load_cases(
    args: argparse.Namespace,
    rng: random.Random,
    people: People,
    now: datetime,
    mark: float,
    phase: Any,
    knowledge: KnowledgeBase | None,
) -> tuple[CaseGenerator, float]:
    """Cases and everything they own, in one transaction; then VACUUM ANALYZE."""
    generator = CaseGenerator(
        rng,
        people,
        cases=args.cases,
        messages_per_case=args.messages_per_case,
        now=now,
        escalation_rate=args.escalation_rate,
    )
    mark = phase("text pools", mark)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        dropped: list[tuple[str, str]] = []
        if args.indexes == "rebuild":
            dropped = secondary_indexes(cursor, table_names(BULK_MODELS))
            for name, _definition in dropped:
                cursor.execute(f"DROP INDEX {name}")
        progress = Progress("cases", args.cases)
        pipeline = Pipeline(generator, cases=args.cases, batch=args.batch)
        rows = 0
        for done, payloads in pipeline:
            for payload in payloads:
                copy(cursor, payload)
                rows += payload[2]
            progress.update(done, f"{rows:,} rows" + (f" | {knowledge.status()}" if knowledge else ""))
        progress.done()
        print(f"  (CPU time generating the rows: {pipeline.generating:.1f} s)", file=sys.stderr)
        mark = phase("cases, messages, events, time entries, attachments (COPY)", mark)
        if dropped:
            rebuild = Progress("indexes", len(dropped))
            for count, (name, definition) in enumerate(dropped):
                rebuild.update(count, name + (f" | {knowledge.status()}" if knowledge else ""))
                cursor.execute(definition)
            rebuild.update(len(dropped))
            rebuild.done()
            mark = phase(f"rebuild {len(dropped)} indexes", mark)
        check_foreign_keys(cursor, BULK_MODELS)
        reset_sequences(cursor, BULK_MODELS)
        mark = phase("foreign-key check, sequences", mark)

    # Outside the transaction: VACUUM sets the visibility map (index-only scans, as on
    # a table autovacuum has visited), ANALYZE gives the planner real statistics.
    with connection.cursor() as cursor:
        tables = ", ".join(table_names((*PEOPLE_MODELS, *BULK_MODELS)))
        cursor.execute(f"ANALYZE {tables}" if args.no_vacuum else f"VACUUM (ANALYZE) {tables}")
    mark = phase("vacuum analyze" if not args.no_vacuum else "analyze", mark)
    return generator, mark


def report(
    args: argparse.Namespace,
    people: People,
    generator: CaseGenerator,
    *,
    started: float,
    load_at_start: float,
    timings: dict[str, float],
    now: datetime,
    knowledge: KnowledgeBase | None,
) -> None:
    total = time.monotonic() - started
    counts = {m.__name__: generator.tables[m].total for m in BULK_MODELS}
    print(file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Seeded in {total:.1f} s: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    print(f"Peak memory of the seeder: {peak_mb:.0f} MB; load average now {os.getloadavg()[0]:.1f}")
    print(f"Largest organization: {people.org_names[0]} (id {people.org_ids[0]})")
    print(f"Case with {BIG_CASE_MESSAGES} messages: {format_case_number(generator.big_case_id)}")
    print(f"Staff login:    {STAFF_LOGIN} / {PASSWORD}")
    print(f"Customer login: {people.customer_login} / {PASSWORD}  (a customer of the largest organization)")
    environment.RESULTS.mkdir(parents=True, exist_ok=True)
    (environment.RESULTS / "seed.json").write_text(
        json.dumps(
            {
                "profile": args.profile["name"] if args.profile else None,
                "cases": args.cases,
                "organizations": args.orgs,
                "messages_per_case": args.messages_per_case,
                "escalation_rate": args.escalation_rate,
                "kb_articles": args.kb_articles,
                "kb_seconds": round(knowledge.seconds, 1) if knowledge and knowledge.seconds else None,
                "users": people.users,
                "rows": counts,
                "seconds": round(total, 1),
                "peak_rss_mb": round(peak_mb),
                "load_average_1m_start": round(load_at_start, 2),
                "load_average_1m_end": round(os.getloadavg()[0], 2),
                "phases": {k: round(v, 2) for k, v in timings.items()},
                "indexes": args.indexes,
                "largest_organization_id": people.org_ids[0],
                "big_case": format_case_number(generator.big_case_id),
                "staff_login": STAFF_LOGIN,
                "customer_login": people.customer_login,
                "password": PASSWORD,
                "seeded_at": now.isoformat(),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
