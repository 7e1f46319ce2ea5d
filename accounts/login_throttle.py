"""Login throttling: more than N failed logins in the window, for one account or from one
address, are refused with 429 until the oldest failure leaves the window.

Every attempt is a row (the login audit trail); the count is taken from those rows, so
the limit holds across processes and hosts without a shared cache, and nobody is locked
out for good: the window slides.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import LoginAttempt


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


def record_login_attempt(*, email: str, ip_address: str | None, succeeded: bool, channel: str) -> None:
    LoginAttempt.objects.create(email=_account_key(email), ip_address=ip_address, succeeded=succeeded, channel=channel)
