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
from notifications.services import EmailSpec, context_loader, queue_email, queue_emails

from ..models import Case, format_case_number


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


def _support_address() -> tuple[str, str]:
    local, _, domain = parseaddr(settings.SUPPORT_EMAIL)[1].partition("@")
    return local, domain or "localhost"


def _case_addresses(case_id: int, support: tuple[str, str]) -> tuple[str, str]:
    """The reply address and the thread's Message-ID of case ``case_id`` (one token for both)."""
    local, domain = support
    token = reply_token(case_id)
    return f"{local}+{token}@{domain}", f"<case-{token}@{domain}>"


def reply_address(case: Case) -> str:
    return _case_addresses(case.pk, _support_address())[0]


def thread_message_id(case: Case) -> str:
    """One Message-ID that every e-mail about the case refers to, so mail programs
    keep the case in one conversation; it carries the reply token too."""
    return _case_addresses(case.pk, _support_address())[1]


@dataclass(frozen=True)
class BulkMail:
    person: User | None
    template: str
    case: Case
    extra: dict[str, Any] | None = None
    dedupe_key: str | None = None


def _mail_context(case: Case, person: User, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    url = staff_case_url(case) if person.is_support_staff else case_url(case)
    return {"case": case, "recipient": person, "case_url": url, **(extra or {})}


def _mail_spec(mail: BulkMail, support: tuple[str, str] | None = None) -> EmailSpec | None:
    person = mail.person
    if person is None or not person.email or not person.is_active:
        return None
    reply_to, thread_id = _case_addresses(mail.case.pk, support or _support_address())
    return EmailSpec(
        to=person.email,
        template=mail.template,
        context=_mail_context(mail.case, person, mail.extra),
        language=person.language or "en",
        tz=person.timezone or "UTC",
        case_number=mail.case.number,
        reply_to=reply_to,
        in_reply_to=thread_id,
        dedupe_key=mail.dedupe_key,
    )


def email_people(mails: list[BulkMail]) -> int:
    """Queue many case e-mails in one insert (scheduled jobs); returns rows written."""
    support = _support_address()
    specs = [spec for spec in (_mail_spec(mail, support) for mail in mails) if spec is not None]
    return queue_emails(specs)


# --- Case e-mails rendered at delivery ---------------------------------------------------
#
# Automatic closing mails tens of thousands of requesters in one run: it queues each mail
# by ids (the case, the person) and the delivering worker renders it, through the loader
# below, from the case as it is then (notifications.services "Rendering at delivery").


@dataclass(frozen=True)
class LaterMail:
    person_id: int | None
    case_id: int
    template: str
    dedupe_key: str | None = None


@context_loader("case")
def case_mail_context(*, case: int, recipient: int) -> dict[str, Any]:
    """The context of a case e-mail queued by ids: the case and the person as they are now."""
    return _mail_context(
        Case.objects.select_related("organization", "requester", "assignee").get(pk=case),
        User.objects.get(pk=recipient),
    )


def email_people_later(mails: list[LaterMail]) -> int:
    """Queue many case e-mails by ids, rendered at delivery; one query for the people, one insert.

    The same rules as ``email_people``: nobody to mail (no address, inactive) means no mail.
    """
    person_ids = {mail.person_id for mail in mails if mail.person_id is not None}
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in=person_ids, is_active=True)
        .exclude(email="")
        .only("id", "email", "language", "timezone")
    }
    support = _support_address()
    specs = [_later_spec(people[mail.person_id], mail, support) for mail in mails if mail.person_id in people]
    return queue_emails(specs)


def _later_spec(person: User, mail: LaterMail, support: tuple[str, str]) -> EmailSpec:
    reply_to, thread_id = _case_addresses(mail.case_id, support)
    return EmailSpec(
        to=person.email,
        template=mail.template,
        context={},
        language=person.language or "en",
        tz=person.timezone or "UTC",
        case_number=format_case_number(mail.case_id),
        reply_to=reply_to,
        in_reply_to=thread_id,
        dedupe_key=mail.dedupe_key,
        context_loader="case",
        context_args={"case": mail.case_id, "recipient": person.pk},
    )


def email_person(
    *,
    person: User | None,
    template: str,
    case: Case,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Queue ``template`` for ``person`` about ``case``; nobody to mail means no mail.

    A mail about the case alone (no ``extra``) is queued by ids and rendered by the worker
    that delivers it, off the request; one that quotes more (a message, a reason) is
    rendered now, with what it quotes.
    """
    if person is None or not person.email or not person.is_active:
        return
    if extra is None:
        mail = LaterMail(person_id=person.pk, case_id=case.pk, template=template, dedupe_key=dedupe_key)
        spec = _later_spec(person, mail, _support_address())
    else:
        spec = _mail_spec(BulkMail(person=person, template=template, case=case, extra=extra, dedupe_key=dedupe_key))
    if spec is not None:
        queue_email(**spec.as_kwargs())
