"""Real processes for the reliability tests: a private Redis, Celery worker and beat, a slow SMTP sink.

Everything listens on 127.0.0.1 on a free port and belongs to the test that started it:
the machine's own Redis (6379) is never touched. ``CeleryProcess`` starts its command in
a session of its own, so ``kill()`` can SIGKILL the worker and its pool processes at once
(what a host or container dying does), and ``stop()`` shuts it down the polite way.

``SlowSmtpSink`` is an aiosmtpd server in a thread of the test process that holds every
DATA for ``delay`` seconds before it answers. It counts a message as delivered only when
it answers 250 (RFC 5321 §6.1: the 250 is where the server takes responsibility); a
client that vanishes while the sink holds its DATA is counted as ``abandoned``, never as
delivered, since its sender was never told the mail was accepted and must send it again.
"""

from __future__ import annotations

import asyncio
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.policy import default as default_policy
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
NO_SUCH_USER = "550 5.1.1 No such user here"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1, what: str = "") -> float:
    """Poll ``condition`` until it holds; returns the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(interval)
    return time.monotonic() - started


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class RedisServer:
    """A redis-server of our own; no persistence, so a ``kill()`` loses every queued task."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "redis.log"
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.workdir), "--logfile", str(log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_until(answers, timeout=10, interval=0.05, what=f"redis-server on port {self.port}")

    def kill(self) -> None:
        """``kill -9``: the broker disappears with everything it held."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def queued_tasks(self) -> int:
        """How many messages wait in the broker's queues (kombu keeps each queue in a list)."""
        client = self.client()
        return sum(client.llen(key) for key in client.keys("*") if client.type(key) == b"list")


class CeleryProcess:
    """``celery -A casetracker <worker|beat>`` in a session of its own, logging to a file."""

    def __init__(self, kind: str, *, env: dict[str, str], logdir: Path, args: list[str] | None = None) -> None:
        self.kind = kind
        self.env = env
        self.logdir = logdir
        self.args = args or []
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log = logdir / f"{kind}.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.starts += 1
        self.logdir.mkdir(parents=True, exist_ok=True)
        # Each start appends to the log; a new node name keeps restarts apart in it.
        command = [str(BIN / "celery"), "-A", "casetracker", self.kind, "--loglevel=INFO", *self.args]
        if self.kind == "worker":
            command += ["-n", f"outbox{self.starts}@{HOST}"]
        with self.log.open("ab") as log:
            log.write(f"\n===== start {self.starts}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until the worker of the latest start says ``ready``."""
        marker = f"outbox{self.starts}@{HOST} ready."

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"celery {self.kind} exited with {self.process.returncode}:\n{_tail(self.log)}")
            return marker in self.log.read_text(errors="replace")

        wait_until(ready, timeout=timeout, interval=0.1, what=f"celery {self.kind} to be ready")

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool at once."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown (SIGTERM), and SIGKILL if it takes longer than ``timeout``."""
        if self.process is None:
            return
        self.process.terminate()  # the main process tells its pool to finish and exit
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        # Pool processes left behind by a main process that died first.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process = None

    def tail(self) -> str:
        return _tail(self.log)


class _SlowHandler:
    def __init__(self, sink: SlowSmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        sink = self.sink
        with sink.changed:
            sink.recipients_tried[address] += 1
            if address in sink.unknown_mailboxes:
                return NO_SUCH_USER
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        sink = self.sink
        with sink.changed:
            sink.in_flight += 1
            sink.changed.notify_all()
        try:
            # aiosmtpd cancels this when the client's connection ends (EOF or reset).
            await asyncio.sleep(sink.delay)
        except asyncio.CancelledError:
            with sink.changed:
                sink.abandoned += 1
            raise
        finally:
            with sink.changed:
                sink.in_flight -= 1
                sink.changed.notify_all()
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        # Counted here, right before the 250 goes out: from now on the server has the mail.
        with sink.changed:
            sink.accepted[str(message["Message-ID"])] += 1
            sink.accepted_at.setdefault(str(message["Message-ID"]), []).append(time.monotonic())
            sink.changed.notify_all()
        return "250 Message accepted for delivery"


class SlowSmtpSink:
    """An SMTP server that answers DATA after ``delay`` seconds and counts what it accepted."""

    def __init__(self, delay: float = 0.0, *, port: int | None = None) -> None:
        self.delay = delay
        self.port = port or free_port()
        self.changed = threading.Condition()
        self.accepted: Counter[str] = Counter()
        # When each copy was answered 250 (time.monotonic()), to place a copy against a kill.
        self.accepted_at: dict[str, list[float]] = {}
        self.recipients_tried: Counter[str] = Counter()
        self.unknown_mailboxes: set[str] = set()
        self.in_flight = 0
        self.abandoned = 0
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> None:
        # aiosmtpd logs every connection at INFO.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(_SlowHandler(self), hostname=HOST, port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        """SMTP is down: connections are refused until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def snapshot(self) -> Counter[str]:
        with self.changed:
            return Counter(self.accepted)

    def delivered(self) -> int:
        with self.changed:
            return sum(self.accepted.values())

    def duplicates(self) -> int:
        """Copies beyond the first of any one Message-ID."""
        with self.changed:
            return sum(count - 1 for count in self.accepted.values() if count > 1)

    def wait_for_delivered(self, n: int, timeout: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: sum(self.accepted.values()) >= n, timeout):
                raise AssertionError(f"expected {n} accepted messages, the sink has {sum(self.accepted.values())}")

    def wait_for_in_flight(self, timeout: float) -> None:
        """Block until the sink is holding a DATA (a delivery is under way)."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.in_flight > 0, timeout):
                raise AssertionError("no delivery reached the SMTP sink")
