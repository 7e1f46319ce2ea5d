"""Noise: mail that is stored for inspection, never answered and never put on a case.

In order: bounces (delivery-status reports, X-Failed-Recipients, a MAILER-DAEMON
sender), automatic replies (Auto-Submitted other than "no", X-Autoreply, X-Autorespond,
Precedence: auto_reply), then an empty Return-Path (RFC 3834 auto-responders use one
too, so it is checked after their own headers and counts as a bounce), list mail
(List-Id, Precedence: list), bulk mail (Precedence: bulk or junk), and mail from our own
addresses (a loop: our notification bounced back or forwarded to us).
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings

from .models import Reason
from .parsing import ParsedMail
from .tokens import support_local_part


def _own_addresses() -> set[str]:
    addresses = {settings.SUPPORT_EMAIL, settings.DEFAULT_FROM_EMAIL, getattr(settings, "SERVER_EMAIL", "")}
    return {parseaddr(address)[1].lower() for address in addresses if address}


def _is_own_address(address: str) -> bool:
    if not address:
        return False
    if address in _own_addresses():
        return True
    local, _, domain = address.rpartition("@")
    support_domain = parseaddr(settings.SUPPORT_EMAIL)[1].rpartition("@")[2].lower()
    return domain == support_domain and local.startswith(support_local_part() + "+")


def noise_kind(mail: ParsedMail) -> str | None:
    """The Reason for a noise mail, or None for mail a person wrote."""
    if (
        (mail.content_type == "multipart/report" and mail.report_type == "delivery-status")
        or mail.delivery_reports
        or mail.has_header("x-failed-recipients")
        or mail.sender.partition("@")[0] in ("mailer-daemon", "mail-daemon")
    ):
        return Reason.BOUNCE
    auto_submitted = mail.header("auto-submitted").split(";", 1)[0].strip().lower()
    precedence = mail.header("precedence").strip().lower()
    if (
        (mail.has_header("auto-submitted") and auto_submitted != "no")
        or mail.has_header("x-autoreply")
        or mail.has_header("x-autorespond")
        or precedence == "auto_reply"
    ):
        return Reason.AUTO_REPLY
    if mail.has_header("return-path") and mail.header("return-path").strip() in ("<>", ""):
        return Reason.BOUNCE
    if mail.has_header("list-id") or precedence == "list":
        return Reason.MAILING_LIST
    if precedence in ("bulk", "junk"):
        return Reason.BULK
    if _is_own_address(mail.sender):
        return Reason.OWN_ADDRESS
    return None


def failing_recipients(mail: ParsedMail) -> list[tuple[str, str, str]]:
    """(address, status, diagnostic) for each recipient a bounce says has failed."""
    failed = [
        (address, status, diagnostic)
        for address, action, status, diagnostic in mail.delivery_reports
        if action == "failed" or status.startswith("5")
    ]
    for value in mail.header("x-failed-recipients").split(","):
        address = parseaddr(value)[1].lower()
        if "@" in address and all(address != known for known, _s, _d in failed):
            failed.append((address, "", ""))
    return failed
