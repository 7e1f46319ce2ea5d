"""Nothing lost, nothing twice: the e-mail outbox under failure, with real processes.

Each test runs the production shape on loopback: a private redis-server as the broker, a
Celery worker (prefork, two processes) and Celery beat started as subprocesses on the test
database, and an SMTP sink that holds every DATA before it answers. Then it breaks one
thing the way it breaks in production and checks what the recipients would notice:

- a change that rolls back sends nothing (no row, no task published, no mail);
- the worker SIGKILLed (with its pool) mid-delivery K times: every mail arrives; copies
  are counted by Message-ID and each must be explained by a kill (the server answered
  250 to a worker that was dying, the row still said "sending" and went out again after
  its lease): at most one per delivery under way at a kill;
- Redis killed with ``kill -9`` and restarted empty: every mail arrives, and the time from
  the restart until the outbox is drained is measured;
- SMTP down for ``OUTBOX_SMTP_DOWN_SECONDS`` (60 by default): nothing is given up, the
  schedule never makes a mail wait long after the server is back, and all arrive once;
- a permanent 550 parks the mail with the server's answer, no sweep retries it, an admin
  sees it in the outbox changelist and sends it again from there.

The scheduler runs with ``OUTBOX_SWEEP_SECONDS`` = 1 and the lease with
``OUTBOX_LEASE_SECONDS`` = 10 (production: 60 and 300), so the module stays within a few
minutes; the mechanism is the one production runs.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu import pools as kombu_pools

from cases.services.correspondence import add_message
from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import UNREACHABLE_WAIT
from tests.factories import CaseFactory
from tests.notifications.ping_email import TEMPLATES_DIR, queue_ping
from tests.reliability.processes import CeleryProcess, RedisServer, SlowSmtpSink, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 10
SWEEP_SECONDS = 1.0
CONCURRENCY = 2  # worker pool processes, each delivering one mail at a time
SMTP_DOWN_SECONDS = float(os.environ.get("OUTBOX_SMTP_DOWN_SECONDS", "60"))
CHANGELIST = "admin:notifications_outboxemail_changelist"

# What the scenarios measured, for the one figure line (recorded once all three have run).
RESULTS: dict[str, dict[str, float]] = {}


class Stack:
    """The private broker, the slow SMTP sink, a worker and beat, all on the test database.

    One stack serves the whole module (a worker takes seconds to start on a busy machine);
    each test gets it with a fresh sink and the processes running, and breaks what it needs.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.redis = RedisServer(tmp_path / "redis")
        self.sink = SlowSmtpSink()
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        database_url = (
            f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casetracker.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": self.redis.url,
            "EMAIL_URL": self.sink.url,
            "EMAIL_TIMEOUT": "5",
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "CASETRACKER_DATA_DIR": str(tmp_path / "data"),
        }
        env.pop("CELERY_BROKER_WRITE_URL", None)
        # The production command, less the start-up handshakes with other workers (there are none).
        worker_args = [f"--concurrency={CONCURRENCY}", "--without-mingle", "--without-gossip"]
        self.worker = CeleryProcess("worker", env=env, logdir=tmp_path, args=worker_args)
        self.beat = CeleryProcess("beat", env=env, logdir=tmp_path)

    def start(self) -> None:
        """Worker and beat running (started if they are not)."""
        if not self.worker.running:
            self.worker.start()
        if not self.beat.running:
            self.beat.start()

    def wait(self, condition, *, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
        """``wait_until`` that shows the worker's log when it times out."""
        try:
            return wait_until(condition, timeout=timeout, interval=0.1, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{self.worker.tail()}") from None

    def wait_drained(self, *, timeout: float) -> float:
        return self.wait(
            lambda: not OutboxEmail.objects.exclude(status=OutboxStatus.SENT).exists(),
            timeout=timeout,
            what="every mail to be sent",
        )

    def wait_quiet(self) -> None:
        """No delivery under way at the sink (a late copy would still be arriving)."""
        self.wait(lambda: self.sink.in_flight == 0, timeout=30, what="the sink to go quiet")


@pytest.fixture(autouse=True)
def _ping_templates(settings):  # type: ignore[no-untyped-def]
    """``emails/ping.*`` (tests/notifications) are rendered here, when the test queues."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [TEMPLATES_DIR, *engine["DIRS"]]}, *settings.TEMPLATES[1:]]


@pytest.fixture(scope="module")
def _processes(django_db_setup, tmp_path_factory) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    stack = Stack(tmp_path_factory.mktemp("outbox"))
    stack.redis.start()
    yield stack
    for process in (stack.worker, stack.beat):
        process.kill()
    stack.sink.stop()
    stack.redis.stop()


@pytest.fixture
def stack(_processes, transactional_db, monkeypatch) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """The module's stack with a fresh, running sink and Redis; this process publishes to that Redis."""
    from casetracker.celery import app

    stack = _processes
    stack.sink.stop()
    stack.sink = SlowSmtpSink(port=stack.sink.port)
    stack.sink.start()
    if not stack.redis.running:
        stack.redis.start()
    monkeypatch.setenv("CELERY_BROKER_URL", stack.redis.url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    names = ["broker_url", "task_always_eager"]
    saved_conf = {name: app.conf[name] for name in names}
    kombu_pools.reset()
    app.conf.update(broker_url=stack.redis.url, task_always_eager=False)
    app._pool, app.amqp._producer_pool = None, None
    yield stack
    stack.sink.stop()
    # kombu keeps connection and producer pools per broker URL for the whole process.
    kombu_pools.reset()
    app.conf.update(saved_conf)
    app._pool, app.amqp._producer_pool = None, None


def queue_pings(n: int, *, prefix: str) -> list[str]:
    """Queue ``n`` pings in one committed transaction; their Message-IDs."""
    with transaction.atomic():
        rows = [queue_ping(to=f"{prefix}{i}@acme.example") for i in range(n)]
    return [row.message_id for row in rows]


def check_each_delivered_once(sink: SlowSmtpSink, message_ids: list[str]) -> tuple[int, int]:
    """(lost, duplicated) for these Message-IDs; nothing else may have arrived."""
    accepted = sink.snapshot()
    assert set(accepted) <= set(message_ids), "the sink got mails nobody queued"
    lost = len(set(message_ids) - set(accepted))
    duplicated = sum(count - 1 for count in accepted.values())
    return lost, duplicated


def record_figure_when_complete(figure) -> None:  # type: ignore[no-untyped-def]
    if {"killed", "redis", "smtp"} <= RESULTS.keys() and "recorded" not in RESULTS:
        RESULTS["recorded"] = {}
        n = int(sum(part["mails"] for name, part in RESULTS.items() if name != "recorded"))
        dup = int(sum(part["duplicated"] for name, part in RESULTS.items() if name != "recorded"))
        k = int(RESULTS["killed"]["kills"])
        d = RESULTS["smtp"]["down"]
        s = RESULTS["redis"]["recovery"]
        figure(
            "Outbox under failure",
            f"{n} mails, worker killed {k} times, Redis killed 1 time, SMTP down {d:.0f} s, 0 lost, "
            f"{dup} duplicated (target 0), recovered in {s:.1f} s",
        )


class ChangeFailed(Exception):
    pass


def test_a_rolled_back_change_publishes_nothing_and_sends_nothing(stack, engineer, acme, alice):
    # Nobody consumes the queue yet: whatever is published stays there to be counted.
    stack.worker.kill()
    stack.beat.kill()
    stack.redis.client().flushall()
    case = CaseFactory(organization=acme, requester=alice, assignee=engineer)

    with pytest.raises(ChangeFailed), transaction.atomic():
        add_message(case=case, author=engineer, body="Here is the fix.")
        assert OutboxEmail.objects.filter(to=alice.email).count() == 1, "the reply queued its e-mail"
        raise ChangeFailed("a later step of the same change fails")

    assert not OutboxEmail.objects.exists()
    assert stack.redis.queued_tasks() == 0, "no delivery task was published for the rolled-back mail"

    # The same change committed does publish: the check above would have seen a task.
    add_message(case=case, author=engineer, body="Here is the fix, for real.")
    [committed] = OutboxEmail.objects.all()
    assert stack.redis.queued_tasks() == 1

    stack.start()
    stack.wait_drained(timeout=60)
    time.sleep(3 * SWEEP_SECONDS)  # a few sweeps more: nothing else turns up
    stack.wait_quiet()

    assert stack.sink.snapshot() == {committed.message_id: 1}


def test_the_worker_killed_mid_delivery_loses_nothing(stack, figure):
    n, k = 200, 5
    stack.sink.delay = 0.1
    rng = random.Random(20260302)
    stack.start()
    message_ids = queue_pings(n, prefix="killed")

    kills: list[float] = []
    for kill in range(k):
        # Spread the kills over the run; each lands at a random moment while a mail is
        # being delivered (the sink holds a DATA, or has just answered it).
        stack.sink.wait_for_delivered((kill + 1) * n // (k + 2), timeout=120)
        stack.sink.wait_for_in_flight(timeout=60)
        time.sleep(rng.uniform(0, stack.sink.delay))
        kills.append(time.monotonic())
        stack.worker.kill()
        stack.worker.start()

    stack.wait_drained(timeout=180)
    # A worker that lost its lease could still be sending: let the sink go quiet first.
    stack.wait_quiet()
    time.sleep(2 * SWEEP_SECONDS)

    lost, duplicated = check_each_delivered_once(stack.sink, message_ids)
    rows = {row.message_id: row for row in OutboxEmail.objects.all()}
    retried = sum(1 for row in rows.values() if row.attempts > 1)
    copies = {message_id: times for message_id, times in stack.sink.accepted_at.items() if len(times) > 1}
    for message_id, times in copies.items():
        nearest = min(kills, key=lambda at: abs(times[0] - at))
        print(
            f"\ncopy of {message_id}: first 250 {1000 * (times[0] - nearest):+.0f} ms from a kill, "
            f"again {times[1] - times[0]:.1f} s later (attempt {rows[message_id].attempts})"
        )
    print(
        f"\nworker killed {k} times: {retried} mails re-claimed after their lease ran out, "
        f"{stack.sink.abandoned} cut off before the sink's 250, {duplicated} duplicated"
    )
    assert lost == 0
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert retried >= 1, "no kill caught a delivery under way"
    # Every copy is a delivery that a kill cut short after the server had it: the first
    # 250 went out around a kill (a killed process's connections stay open for the
    # milliseconds it takes to die, and the server may answer in them), and the second
    # copy is the re-send after the lease ran out, never a race between live workers.
    for message_id, times in copies.items():
        assert len(times) == 2, f"{message_id} arrived {len(times)} times"
        assert min(abs(times[0] - at) for at in kills) < 1.0, f"{message_id} was copied far from any kill"
        assert times[1] - times[0] > LEASE_SECONDS - 1, f"{message_id} was re-sent before its lease ran out"
    # That gap (the server has the mail, the row still says "sending") is the one an SMTP
    # client cannot close: at most one copy per delivery under way at a kill.
    assert duplicated <= k * CONCURRENCY
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    RESULTS["killed"] = {"mails": n, "kills": k, "duplicated": duplicated}
    record_figure_when_complete(figure)


def test_redis_killed_and_restarted_empty_loses_nothing(stack, figure):
    n, while_down = 100, 10
    stack.sink.delay = 0.05
    stack.start()
    stack.worker.wait_ready()
    message_ids = queue_pings(n, prefix="broker")

    stack.sink.wait_for_delivered(n // 3, timeout=60)
    stack.sink.wait_for_in_flight(timeout=30)
    stack.redis.kill()  # kill -9: every queued delivery task is gone with it
    # Changes that mail while the broker is down commit, and promptly: the hand-over
    # fails at once (it does not retry for seconds per mail), the sweep will send them.
    committing = time.monotonic()
    for i in range(while_down):
        message_ids += queue_pings(1, prefix=f"brokerdown{i}-")
    held_up = time.monotonic() - committing
    assert held_up < 0.5 * while_down, f"{while_down} commits took {held_up:.1f} s with the broker down"
    time.sleep(1)
    stack.redis.start()
    recovery = stack.wait_drained(timeout=120)

    stack.wait_quiet()
    lost, duplicated = check_each_delivered_once(stack.sink, message_ids)
    print(
        f"\nRedis killed and restarted empty: {while_down} commits in {held_up:.1f} s while it was down, "
        f"outbox drained {recovery:.1f} s after the restart"
    )
    assert lost == 0
    assert duplicated == 0, "no worker died: a copy here would be a bug"
    RESULTS["redis"] = {"mails": n + while_down, "duplicated": duplicated, "recovery": recovery}
    record_figure_when_complete(figure)


def test_smtp_down_for_a_minute_then_everything_arrives_once(stack, figure):
    n = 30
    stack.start()
    stack.worker.wait_ready()
    stack.sink.stop()
    went_down = time.monotonic()
    message_ids = queue_pings(n, prefix="outage")

    # Every mail's own delivery tried, found no server and left the mail waiting.
    stack.wait(
        lambda: OutboxEmail.objects.filter(attempts__gte=1, status=OutboxStatus.PENDING).count() == n,
        timeout=60,
        what="each mail to be tried once",
    )
    time.sleep(max(0.0, went_down + SMTP_DOWN_SECONDS - 1 - time.monotonic()))

    rows = list(OutboxEmail.objects.all())
    assert {row.status for row in rows} == {OutboxStatus.PENDING}, "nothing sent, nothing given up"
    assert all("refused" in row.last_error.lower() for row in rows)
    # The schedule: however long the outage, no mail waits longer than UNREACHABLE_WAIT
    # from now, so all go out within a sweep or two of the server's return.
    latest = max(row.next_attempt_at for row in rows)
    assert latest <= timezone.now() + UNREACHABLE_WAIT + timedelta(seconds=1)
    # The server was asked about once per sweep, not once per mail per sweep.
    sweeps = SMTP_DOWN_SECONDS / SWEEP_SECONDS
    attempts = sum(row.attempts for row in rows)
    assert attempts <= n + 2 * sweeps + 10, f"{attempts} attempts for {n} mails in {sweeps:.0f} sweeps"

    time.sleep(max(0.0, went_down + SMTP_DOWN_SECONDS - time.monotonic()))
    stack.sink.start()
    down = time.monotonic() - went_down
    recovery = stack.wait_drained(timeout=120)

    stack.wait_quiet()
    lost, duplicated = check_each_delivered_once(stack.sink, message_ids)
    print(f"\nSMTP down {down:.0f} s ({attempts} attempts for {n} mails): drained {recovery:.1f} s after its return")
    assert lost == 0
    assert duplicated == 0
    assert recovery <= UNREACHABLE_WAIT.total_seconds() + SWEEP_SECONDS + 20
    RESULTS["smtp"] = {"mails": n, "duplicated": duplicated, "down": down}
    record_figure_when_complete(figure)


def test_a_permanent_refusal_is_parked_shown_to_admins_and_retried_from_the_admin(stack, admin_user, client):
    stack.sink.unknown_mailboxes.add("nobody@acme.example")
    stack.start()
    with transaction.atomic():
        parked = queue_ping(to="nobody@acme.example")
        delivered = queue_ping(to="alice@acme.example")

    stack.wait(
        lambda: (
            OutboxEmail.objects.filter(pk=parked.pk, status=OutboxStatus.FAILED).exists()
            and OutboxEmail.objects.filter(pk=delivered.pk, status=OutboxStatus.SENT).exists()
        ),
        timeout=60,
        what="the 550 parked and the other mail sent",
    )
    parked.refresh_from_db()
    assert parked.attempts == 1
    assert "550 5.1.1 No such user here" in parked.last_error

    # Sweeps keep running: none of them tries a parked mail again.
    time.sleep(4 * SWEEP_SECONDS)
    parked.refresh_from_db()
    assert (parked.status, parked.attempts) == (OutboxStatus.FAILED, 1)
    assert stack.sink.recipients_tried["nobody@acme.example"] == 1

    # An administrator with the outbox permissions sees it, with the server's answer.
    admin_user.user_permissions.add(*Permission.objects.filter(codename__in=["view_outboxemail", "change_outboxemail"]))
    client.force_login(admin_user)
    page = client.get(reverse(CHANGELIST), {"status__exact": OutboxStatus.FAILED})
    assert page.status_code == 200
    html = page.content.decode()
    assert "nobody@acme.example" in html
    assert "550 5.1.1 No such user here" in html
    assert "Failed permanently" in html
    assert "alice@acme.example" not in html

    # The mailbox exists now; the admin sends the mail again, and the worker delivers it.
    stack.sink.unknown_mailboxes.clear()
    response = client.post(reverse(CHANGELIST), {"action": "retry_now", "_selected_action": [parked.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 failed e-mail will be sent again." in response.content.decode()
    stack.wait(
        lambda: OutboxEmail.objects.filter(pk=parked.pk, status=OutboxStatus.SENT).exists(),
        timeout=60,
        what="the retried mail to be sent",
    )
    assert stack.sink.snapshot() == {parked.message_id: 1, delivered.message_id: 1}
