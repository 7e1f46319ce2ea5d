"""Brute force on PostgreSQL with real threads: the login limit holds when wrong passwords
arrive at once through the token endpoint and the browser form (each thread on its own
database connection), the real user is not locked out for good, and every attempt is in
the security audit log.

The throttle counts an attempt before checking its password, under an advisory lock per
account and per address (accounts.login_throttle), so no more than the limit are checked.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEntry, LoginAttempt
from tests.factories import PASSWORD

pytestmark = [pytest.mark.security, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
PER_THREAD = 8
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def token_attempt(email: str, password: str, ip: str) -> int:
    body = {"email": email, "password": password}
    return APIClient().post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=ip).status_code


def browser_attempt(email: str, password: str, ip: str) -> int:
    return Client().post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip).status_code


def hammer(targets: list[tuple[str, str]]) -> tuple[Counter[str], list[BaseException]]:
    """THREADS threads, released together, each making PER_THREAD wrong-password attempts,
    alternating the token endpoint and the browser form. ``targets[i]`` is the
    (e-mail, address) of attempt i. Returns outcomes as "checked" / "refused"."""
    start = threading.Barrier(THREADS)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(thread: int) -> None:
        try:
            start.wait(timeout=10)
            for n in range(PER_THREAD):
                index = thread * PER_THREAD + n
                email, ip = targets[index]
                attempt = token_attempt if index % 2 == 0 else browser_attempt
                status = attempt(email, "not the password", ip)
                kind = {401: "checked", 200: "checked", 429: "refused"}.get(status, f"unexpected {status}")
                with lock:
                    outcomes[kind] += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an attempt hung"
    return outcomes, errors


def test_one_account_hammered_from_many_addresses_checks_no_more_than_the_limit(alice, time_machine, figure):
    time_machine.move_to(START, tick=False)
    limit = settings.LOGIN_MAX_FAILURES
    attempts = THREADS * PER_THREAD
    # Every attempt from its own address: only the account's limit can stop them.
    targets = [("alice@acme.example", f"198.51.{n // 250}.{n % 250 + 1}") for n in range(attempts)]

    outcomes, errors = hammer(targets)

    assert errors == []
    assert set(outcomes) <= {"checked", "refused"}, outcomes
    checked = outcomes["checked"]
    assert checked == limit, outcomes  # the limit, exactly: no slack needed
    assert LoginAttempt.objects.filter(email="alice@acme.example").count() == checked

    # While the window lasts, the right password is refused too…
    assert token_attempt("alice@acme.example", PASSWORD, "203.0.113.7") == 429
    assert browser_attempt("alice@acme.example", PASSWORD, "203.0.113.7") == 429

    # …and once it has passed, the real user is back in, through both doors.
    time_machine.move_to(START + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1), tick=False)
    assert token_attempt("alice@acme.example", PASSWORD, "203.0.113.7") == 200
    assert browser_attempt("alice@acme.example", PASSWORD, "203.0.113.7") == 302

    # Every attempt is in the audit log: each checked failure, each refusal, each success.
    actions = Counter(AuditEntry.objects.filter(actor_label="alice@acme.example").values_list("action", flat=True))
    assert actions == Counter(
        {"login.failed": checked, "login.refused": attempts - checked + 2, "login.succeeded": 2}
    ), actions
    figure(
        "Brute force",
        f"{attempts} attempts by {THREADS} threads, {checked} checked before lock (limit {limit}), "
        "real user back in after the window",
    )


def test_one_address_hammering_many_accounts_checks_no_more_than_the_limit(alice, time_machine):
    time_machine.move_to(START, tick=False)
    limit = settings.LOGIN_MAX_FAILURES
    attempts = THREADS * PER_THREAD
    targets = [(f"guess{n}@acme.example", "192.0.2.66") for n in range(attempts)]

    outcomes, errors = hammer(targets)

    assert errors == []
    assert outcomes["checked"] == limit, outcomes
    assert LoginAttempt.objects.filter(ip_address="192.0.2.66").count() == limit
    # The address is refused even for a real account; from elsewhere Alice gets in.
    assert token_attempt("alice@acme.example", PASSWORD, "192.0.2.66") == 429
    assert token_attempt("alice@acme.example", PASSWORD, "192.0.2.10") == 200
    assert AuditEntry.objects.filter(ip_address="192.0.2.66", action__startswith="login.").count() == attempts + 1
