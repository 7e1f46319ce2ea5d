"""Login throttling: more than N failed logins in the window, for one account or from one
address, are refused with 429 until the oldest failure leaves the window.

Every attempt is a row (the login audit trail); the count is taken from those rows, so
the limit holds across processes and hosts without a shared cache, and nobody is locked
out for good: the window slides.

The check is atomic: ``begin_login_attempt`` counts and, when the attempt may go ahead,
writes its row as a failure *before* the password is checked, in one short transaction
holding a PostgreSQL advisory lock per account and per address. Requests arriving at
once for one account therefore queue on that lock, and each sees the rows of those
before it: no more than the limit are ever checked. ``finish_login_attempt`` turns the
row into a success when the password was right. Every attempt, refused or not, also
leaves a row in the security audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .audit import record_audit
from .models import AuditAction, LoginAttempt, User


def client_ip(request: object) -> str | None:
    meta = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR") or None


def _account_key(email: str) -> str:
    """The e-mail as counted: trimmed, lower-cased and storable (PostgreSQL refuses NUL)."""
    return email.replace("\x00", "").strip().lower()[:254]


def seconds_until_allowed(*, email: str, ip_address: str | None) -> int | None:
    """None when a login may be tried now, else the seconds to wait."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    since = now - window
    limit = settings.LOGIN_MAX_FAILURES
    recent = LoginAttempt.objects.filter(succeeded=False, created_at__gte=since)
    waits: list[int] = []
    conditions = [Q(email=_account_key(email))]
    if ip_address:
        conditions.append(Q(ip_address=ip_address))
    for condition in conditions:
        times = list(recent.filter(condition).order_by("-created_at").values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            # Allowed again once the limit-th newest failure has left the window.
            waits.append(max(1, int((times[-1] + window - now).total_seconds()) + 1))
    return max(waits) if waits else None


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit advisory-lock key for one account or one address."""
    digest = hashlib.blake2b(f"casetracker-login:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _serialize_attempts(email: str, ip_address: str | None) -> None:
    """Hold, until the transaction ends, the locks of this account and this address
    (taken in one global order, so two requests never wait on each other in a cycle)."""
    if connection.vendor != "postgresql":
        return  # SQLite serializes writers by itself; PostgreSQL is the production database
    keys = {_lock_key("account", email)}
    if ip_address:
        keys.add(_lock_key("address", ip_address))
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@dataclass
class LoginCheck:
    """The outcome of ``begin_login_attempt``: either ``wait`` seconds (refused) or an
    ``attempt`` row that ``finish_login_attempt`` settles."""

    email: str
    ip_address: str | None
    channel: str
    wait: int | None = None
    attempt: LoginAttempt | None = None


def begin_login_attempt(*, email: str, ip_address: str | None, channel: str) -> LoginCheck:
    """Decide, atomically, whether this attempt may check a password; if so, count it."""
    key = _account_key(email)
    check = LoginCheck(email=key, ip_address=ip_address, channel=channel)
    with transaction.atomic():
        _serialize_attempts(key, ip_address)
        check.wait = seconds_until_allowed(email=key, ip_address=ip_address)
        if check.wait is None:
            # Counted as a failure until the password proves right.
            check.attempt = LoginAttempt.objects.create(
                email=key, ip_address=ip_address, succeeded=False, channel=channel
            )
    if check.wait is not None:
        record_audit(
            AuditAction.LOGIN_REFUSED,
            actor_label=key,
            ip_address=ip_address,
            detail={"channel": channel, "retry_after": check.wait},
        )
    return check


def finish_login_attempt(check: LoginCheck, *, user: User | None) -> None:
    """Record the outcome of a checked attempt (``user`` is None when it failed)."""
    if check.attempt is None:
        raise ValueError("finish_login_attempt needs an attempt that was let through")
    if user is not None:
        LoginAttempt.objects.filter(pk=check.attempt.pk).update(succeeded=True)
    record_audit(
        AuditAction.LOGIN_SUCCEEDED if user is not None else AuditAction.LOGIN_FAILED,
        actor=user,
        actor_label=check.email,
        ip_address=check.ip_address,
        detail={"channel": check.channel},
    )
