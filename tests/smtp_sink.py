"""A real SMTP server on loopback for the tests: what arrives there is what a user would get.

``smtp_sink`` starts aiosmtpd on 127.0.0.1 on a free port and points Django's SMTP
backend at it for one test. It can answer "try again later" (451) or "no such user"
(550) to the next messages, it can be stopped and started again ("SMTP is down"), and
it can insist on a login.
"""

from __future__ import annotations

import email
import logging
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

TEMPORARY = "451 4.3.0 Mailbox busy, try again later"
PERMANENT = "550 5.1.1 No such user here"


@dataclass
class Delivery:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    deliveries: list[Delivery] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    # aiosmtpd calls these from its own thread, one coroutine per SMTP command.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        with self.arrived:
            if self.refusals:
                return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.arrived:
            self.deliveries.append(Delivery(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = _free_port(host)
        self._handler = _Handler()
        self._controller: Controller | None = None
        self._server_options: dict[str, object] = {}

    @property
    def deliveries(self) -> list[Delivery]:
        with self._handler.arrived:
            return list(self._handler.deliveries)

    @property
    def messages(self) -> list[EmailMessage]:
        return [delivery.message for delivery in self.deliveries]

    def wait_for(self, n: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until at least ``n`` messages have arrived; fail the test after ``timeout`` seconds."""
        with self._handler.arrived:
            if not self._handler.arrived.wait_for(lambda: len(self._handler.deliveries) >= n, timeout):
                raise AssertionError(f"expected {n} message(s) at the SMTP sink, got {len(self._handler.deliveries)}")
        return self.messages

    def defer_next(self, count: int = 1, reply: str = TEMPORARY) -> None:
        """Answer the next ``count`` recipients with a temporary error."""
        with self._handler.arrived:
            self._handler.refusals.extend([reply] * count)

    def reject_next(self, count: int = 1, reply: str = PERMANENT) -> None:
        """Answer the next ``count`` recipients with a permanent error."""
        self.defer_next(count, reply)

    def start(self) -> None:
        # A fresh controller each time: the port is the same, so Django's settings hold.
        self._controller = Controller(
            self._handler, hostname=self.host, port=self.port, ready_timeout=5, **self._server_options
        )
        self._controller.start()

    def require_login(self, username: str, password: str) -> None:
        """From now on, accept only clients that log in with these credentials (AUTH without TLS)."""

        def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == username
            # handled=False: the server answers a failure with its own 535.
            return AuthResult(success=ok and auth_data.password.decode() == password, handled=False)

        self.stop()
        self._server_options = {"authenticator": authenticator, "auth_require_tls": False}
        self.start()

    def stop(self) -> None:
        """Take the server down: connections are refused until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):  # type: ignore[no-untyped-def]
    # aiosmtpd tells of every connection at INFO: keep failing tests' output readable.
    server_log = logging.getLogger("mail.log")
    saved_level = server_log.level
    server_log.setLevel(logging.WARNING)
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()
    server_log.setLevel(saved_level)
