"""The e-mails a case sends, each to one person in their own language and timezone."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from accounts.models import User
from notifications.services import EmailSpec, queue_email, queue_emails

from ..models import Case


def case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:detail", args=[case.number])


def staff_case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:workspace", args=[case.number])


# Replies by e-mail (the inbound app reads them back): every case e-mail says where to
# answer with a token naming the case, ``<local>+c<id>-<mac>@<domain>``. The MAC is an
# HMAC of the case id under a key derived from SECRET_KEY; lower-case base32 survives
# mail servers that lower-case addresses. The token never expires by itself: the
# inbound app decides how long after closing a case it still accepts replies.
REPLY_TOKEN_SALT = "inbound-reply"


def reply_token(case_id: int, *, secret: str | bytes | None = None) -> str:
    digest = salted_hmac(REPLY_TOKEN_SALT, f"case:{case_id}", secret=secret, algorithm="sha256").digest()
    return f"c{case_id}-" + base64.b32encode(digest[:20]).decode().lower()


def reply_address(case: Case) -> str:
    local, _, domain = parseaddr(settings.SUPPORT_EMAIL)[1].partition("@")
    return f"{local}+{reply_token(case.pk)}@{domain or 'localhost'}"


def thread_message_id(case: Case) -> str:
    """One Message-ID that every e-mail about the case refers to, so mail programs
    keep the case in one conversation; it carries the reply token too."""
    domain = parseaddr(settings.SUPPORT_EMAIL)[1].partition("@")[2] or "localhost"
    return f"<case-{reply_token(case.pk)}@{domain}>"


@dataclass(frozen=True)
class BulkMail:
    person: User | None
    template: str
    case: Case
    extra: dict[str, Any] | None = None
    dedupe_key: str | None = None


def _mail_spec(mail: BulkMail) -> EmailSpec | None:
    person = mail.person
    if person is None or not person.email or not person.is_active:
        return None
    url = staff_case_url(mail.case) if person.is_support_staff else case_url(mail.case)
    return EmailSpec(
        to=person.email,
        template=mail.template,
        context={"case": mail.case, "recipient": person, "case_url": url, **(mail.extra or {})},
        language=person.language or "en",
        tz=person.timezone or "UTC",
        case_number=mail.case.number,
        reply_to=reply_address(mail.case),
        in_reply_to=thread_message_id(mail.case),
        dedupe_key=mail.dedupe_key,
    )


def email_people(mails: list[BulkMail]) -> int:
    """Queue many case e-mails in one insert (scheduled jobs); returns rows written."""
    specs = [spec for spec in map(_mail_spec, mails) if spec is not None]
    return queue_emails(specs)


def email_person(
    *,
    person: User | None,
    template: str,
    case: Case,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Queue ``template`` for ``person`` about ``case``; nobody to mail means no mail."""
    spec = _mail_spec(BulkMail(person=person, template=template, case=case, extra=extra, dedupe_key=dedupe_key))
    if spec is not None:
        queue_email(**spec.as_kwargs())
