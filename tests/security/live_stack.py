"""The product as it runs in production, started on loopback for one test.

``LiveStack`` serves the app with gunicorn (2 workers, ``DEBUG`` off) on a free
127.0.0.1 port against the pytest test database, runs a real Celery worker (with its
embedded beat, so the outbox sweep runs as in production) on the broker the suite is
given (``CELERY_BROKER_URL``), and delivers e-mail to an aiosmtpd sink on loopback
(``tests.smtp_sink.SmtpSink``): what the sink holds is what users would have received.

The processes read what the test writes, so the data must be committed: the
``live_stack`` fixture asks for pytest-django's ``transactional_db`` (the tables are
emptied after the test), and the stack is stopped before that happens.

Other tests reuse the pieces: ``stop_worker(signal.SIGKILL)`` / ``start_worker()``,
``stop_web()`` / ``start_web()``, ``smtp.stop()`` / ``smtp.start()``,
``wait_for_outbox_drained()``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INBOUND_WEBHOOK_SECRET = "live-stack-inbound-secret-0123456789"
ACCESS_LINE = re.compile(r'^[1-5][0-9]{2} [A-Z]+ "')


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def database_url_of(settings_dict: dict) -> str:
    """A ``postgres://`` (or ``sqlite:///``) URL naming the database Django is connected to."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class LiveStack:
    """gunicorn + Celery worker + SMTP sink on loopback, against one database."""

    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        secret_key: str,
        workdir: Path,
        web_workers: int = 2,
        worker_concurrency: int = 2,
        beat: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.broker_url = broker_url
        self.secret_key = secret_key
        self.workdir = Path(workdir)
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.beat = beat
        self.extra_env = dict(extra_env or {})
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.smtp = SmtpSink()
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self._worker_starts = 0
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        (self.workdir / "media").mkdir(parents=True, exist_ok=True)

    # --- environment ---------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # The caller's Django/pytest variables are not the stack's.
            if not key.startswith(("PYTEST_", "DJANGO_")) and key not in {"DATABASE_URL", "CELERY_BROKER_URL"}
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "casetracker.settings",
                "DEBUG": "0",
                "SECRET_KEY": self.secret_key,
                "DATABASE_URL": self.database_url,
                "CONN_MAX_AGE": "0",
                "CELERY_BROKER_URL": self.broker_url,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "EMAIL_URL": f"smtp://{self.smtp.host}:{self.smtp.port}",
                "EMAIL_TIMEOUT": "10",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"{self.base_url},http://localhost:{self.port}",
                "SITE_URL": self.base_url,
                # Plain HTTP on loopback: no TLS proxy in front of it here.
                "SECURE_SSL_REDIRECT": "0",
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
                "CASETRACKER_DATA_DIR": str(self.workdir / "data"),
                "MEDIA_ROOT": str(self.workdir / "media"),
                "INBOUND_WEBHOOK_SECRET": INBOUND_WEBHOOK_SECRET,
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    # --- web -----------------------------------------------------------------------
    def start_web(self, timeout: float = 30.0) -> None:
        log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "casetracker.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                "-",
                "--access-logformat",
                '%(s)s %(m)s "%(U)s" %(M)sms',
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.web.returncode}:\n{self.web_log()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.web_log()[-4000:]}")

    def stop_web(self) -> None:
        _stop(self.web, signal.SIGTERM)
        self.web = None

    def web_log(self) -> str:
        path = self.workdir / "gunicorn.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> list[str]:
        """gunicorn's access-log lines, ``<status> <method> "<path>" <ms>ms``, oldest first
        (the same file also holds the application's warnings)."""
        return [line for line in self.web_log().splitlines() if ACCESS_LINE.match(line)]

    def server_errors_in_log(self, since: int = 0) -> list[str]:
        """Access-log lines (from the ``since``-th on) whose status is 5xx."""
        return [line for line in self.access_log()[since:] if line.startswith("5")]

    # --- worker --------------------------------------------------------------------
    def start_worker(self, timeout: float = 60.0) -> None:
        self._worker_starts += 1
        log_path = self.workdir / f"worker-{self._worker_starts}.log"
        command = [
            str(BIN / "celery"),
            "-A",
            "casetracker",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(self.worker_concurrency),
            "--hostname",
            f"live-{os.getpid()}-{self._worker_starts}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if self.beat:
            command += ["--beat", "--schedule", str(self.workdir / "data" / "celerybeat-schedule")]
        log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
        self.worker = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.worker.returncode}:\n{self.worker_log()}")
            if " ready." in log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"the Celery worker was not ready in {timeout} s:\n{self.worker_log()[-4000:]}")

    def stop_worker(self, sig: int = signal.SIGTERM) -> None:
        """Stop the worker: SIGTERM is a warm shutdown, SIGKILL kills it mid-task."""
        _stop(self.worker, sig, timeout=30)
        self.worker = None

    def worker_log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.workdir.glob("worker-*.log")) if path.exists()
        )

    # --- outbox --------------------------------------------------------------------
    def outbox_counts(self) -> dict[str, int]:
        from django.db import close_old_connections

        from notifications.models import OutboxEmail

        close_old_connections()
        counts: dict[str, int] = {}
        for status in OutboxEmail.objects.values_list("status", flat=True):
            counts[status] = counts.get(status, 0) + 1
        return counts

    def wait_for_outbox_drained(self, timeout: float = 120.0) -> float:
        """Wait until no e-mail is pending or being sent; return the seconds it took."""
        from notifications.models import OutboxEmail, OutboxStatus

        started = time.monotonic()
        while True:
            waiting = OutboxEmail.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()
            if waiting == 0:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise AssertionError(
                    f"{waiting} e-mail(s) still waiting in the outbox after {timeout:.0f} s "
                    f"({self.outbox_counts()}); worker log tail:\n{self.worker_log()[-3000:]}"
                )
            time.sleep(0.5)

    # --- all of it -----------------------------------------------------------------
    def start(self) -> LiveStack:
        self.smtp.start()
        try:
            self.start_web()
            self.start_worker()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.stop_web()
        self.stop_worker()
        self.smtp.stop()


def _stop(process: subprocess.Popen | None, sig: int, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        # Each process was started in its own session: signal its group (gunicorn's and
        # Celery's children) and nothing else.
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_live_stack(workdir: Path, **options: object) -> LiveStack:
    """Start a stack on the database and broker Django is configured with (call inside a DB-enabled test)."""
    from django.conf import settings
    from django.db import connection

    return LiveStack(
        database_url=database_url_of(connection.settings_dict),
        broker_url=os.environ.get("CELERY_BROKER_URL", settings.CELERY_BROKER_URL),
        secret_key=settings.SECRET_KEY,
        workdir=workdir,
        **options,  # type: ignore[arg-type]
    ).start()


@pytest.fixture
def live_stack(transactional_db, settings, tmp_path_factory) -> Iterator[LiveStack]:  # type: ignore[no-untyped-def]
    """A running stack for one test; its data is committed, and emptied afterwards.

    The test process shares the stack's media folder, so files it stores (attachments,
    raw mail) are the ones the stack serves. ``LIVE_STACK_LOGS=<folder>`` keeps the
    processes' logs there after the test."""
    mail_log = logging.getLogger("mail.log")
    saved_level = mail_log.level
    mail_log.setLevel(logging.WARNING)
    stack = start_live_stack(Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp(), prefix="live-")))
    settings.MEDIA_ROOT = stack.workdir / "media"
    try:
        yield stack
    finally:
        stack.stop()
        mail_log.setLevel(saved_level)
        keep = os.environ.get("LIVE_STACK_LOGS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            for log in stack.workdir.glob("*.log"):
                shutil.copy(log, Path(keep) / log.name)


# --- a small, committed world for the stack's tests ----------------------------------
# One password for every person, hashed once with the production hasher (the tests'
# settings use a fast one that the stack, running production settings, does not know).
WORLD_PASSWORD = "live-stack correct horse battery"


def production_password_hash(password: str = WORLD_PASSWORD) -> str:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt())


class World:
    """Organizations, people (one per role), cases in several states, an escalation,
    knowledge articles, news and held mail: what the API's identifiers can point at."""

    def __init__(self) -> None:
        self.people: dict[str, object] = {}
        self.organizations: dict[str, object] = {}
        self.cases: list[object] = []
        self.tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        return self.tokens[who]

    def identifiers(self) -> dict[str, list]:
        """Real values for the API's path parameters, by the parameter's path prefix."""
        from accounts.models import Organization, User
        from escalation.models import Escalation
        from inbound.models import InboundMessage
        from knowledge.models import Article

        return {
            "number": [case.number for case in self.cases],  # type: ignore[attr-defined]
            "escalations": list(Escalation.objects.values_list("pk", flat=True)),
            "kb": list(Article.objects.values_list("pk", flat=True)),
            "mail": list(InboundMessage.objects.values_list("pk", flat=True)),
            "organizations": list(Organization.objects.values_list("pk", flat=True)),
            "users": list(User.objects.values_list("pk", flat=True)),
        }


def build_world() -> World:
    """Create the world through the services (run inside a test with a committed database)."""
    import datetime

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Membership, Plan, Role, Tier, User
    from cases.models import RequestType, Severity
    from cases.services.assignment import assign_case
    from cases.services.correspondence import add_message
    from cases.services.intake import log_case
    from cases.services.lifecycle import propose_solution, request_info
    from cases.services.timekeeping import log_time
    from escalation.services import escalate_case
    from inbound.models import Source
    from inbound.services import ingest_raw_message
    from knowledge.services import create_article, create_news
    from tests.factories import CustomerFactory, OrganizationFactory, StaffFactory

    world = World()
    maintained = timezone.localdate() + datetime.timedelta(days=365)
    acme = OrganizationFactory(
        name="Acme", customer_number="ACME-1", plan=Plan.ENTERPRISE, production=True, maintenance_until=maintained
    )
    globex = OrganizationFactory(name="Globex", customer_number="GLOBEX-1", plan=Plan.STANDARD)
    # A customer number that is a prefix of another's, and an organization nobody here belongs to.
    initech = OrganizationFactory(
        name="Initech", customer_number="ACME-10", plan=Plan.ENTERPRISE, maintenance_until=maintained
    )
    world.organizations = {"acme": acme, "globex": globex, "initech": initech}

    dora = StaffFactory(email="dora@vendor.example", name="Dora Director", role=Role.DIRECTOR, tier="")
    max_ = StaffFactory(email="max@vendor.example", name="Max Manager", role=Role.MANAGER, tier="", manager=dora)
    erin = StaffFactory(email="erin@vendor.example", name="Erin Engineer", tier=Tier.L1, manager=max_)
    evan = StaffFactory(email="evan@vendor.example", name="Evan Engineer", tier=Tier.L2, manager=max_)
    olga = StaffFactory(email="olga@vendor.example", name="Olga Operator", role=Role.OPERATOR, tier="")
    ada = StaffFactory(email="ada@vendor.example", name="Ada Admin", role=Role.ADMIN, tier="", is_staff=True)
    alice = CustomerFactory(email="alice@acme.example", name="Alice Acme", organization=acme)
    bea = CustomerFactory(email="bea@acme.example", name="Bea Both", organization=acme)
    Membership.objects.create(user=bea, organization=globex, is_primary=False)
    oscar = CustomerFactory(email="oscar@globex.example", name="Oscar Globex", organization=globex)
    ivan = CustomerFactory(email="ivan@initech.example", name="Ivan Initech", organization=initech)
    world.people = {
        "director": dora,
        "manager": max_,
        "engineer": erin,
        "engineer_l2": evan,
        "operator": olga,
        "admin": ada,
        "customer": alice,
        "customer_two_orgs": bea,
        "customer_globex": oscar,
        "customer_initech": ivan,
    }

    def new_case(requester, organization, title, severity=Severity.MEDIUM, request_type=RequestType.INCIDENT):  # type: ignore[no-untyped-def]
        case = log_case(
            actor=requester,
            title=title,
            description=f"{title}: the service answers slowly since this morning.",
            severity=severity,
            request_type=request_type,
            organization=organization,
        )
        world.cases.append(case)
        return case

    new_case(alice, acme, "Login page times out")
    worked = new_case(alice, acme, "Nightly export fails", severity=Severity.HIGH)
    assign_case(case=worked, actor=erin, assignee=erin)
    add_message(case=worked, author=erin, body="Please send the export log.")
    add_message(case=worked, author=erin, body="Internal: looks like the disk quota.", internal=True)
    add_message(case=worked, author=alice, body="Here is what the log says.")
    log_time(case=worked, actor=erin, minutes=30, note="Read the logs")
    escalate_case(case=worked, actor=alice, reason="Our month-end close depends on this export.")
    waiting = new_case(bea, acme, "Licence key for the new server", request_type=RequestType.LICENSE_KEY)
    assign_case(case=waiting, actor=erin, assignee=erin)
    request_info(case=waiting, actor=erin, body="Which host name should the key name?")
    proposed = new_case(bea, globex, "Upgrade path to 5.0", request_type=RequestType.CONSULTATION)
    assign_case(case=proposed, actor=evan, assignee=evan)
    propose_solution(case=proposed, actor=evan, body="Upgrade through 4.9 first.")
    new_case(oscar, globex, "Report colours are wrong", severity=Severity.LOW)
    new_case(ivan, initech, "Initech canary case: payroll cluster down", severity=Severity.CRITICAL)

    create_article(
        actor=erin, title="Export timeouts", body="Raise the **export** timeout.", language="en", published=True
    )
    create_article(actor=erin, title="Draft: quota tuning", body="Not ready yet.", language="en", published=False)
    create_news(actor=max_, title="Maintenance window", body="Sunday 02:00-04:00 UTC.", language="en")
    ingest_raw_message(
        b"From: stranger@elsewhere.example\r\nTo: support@localhost\r\nSubject: Hello\r\n"
        b"Message-ID: <held-1@elsewhere.example>\r\n\r\nWho are you?\r\n",
        source=Source.PIPE,
    )

    User.objects.update(password=production_password_hash())
    for name, person in world.people.items():
        world.tokens[name] = Token.objects.get_or_create(user=person)[0].key
    return world
