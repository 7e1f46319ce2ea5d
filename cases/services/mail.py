"""The e-mails a case sends, each to one person in their own language and timezone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from accounts.models import User
from notifications.services import EmailSpec, queue_email, queue_emails

from ..models import Case


def case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:detail", args=[case.number])


def staff_case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:workspace", args=[case.number])


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
