"""The e-mails a case sends, each to one person in their own language and timezone."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import User
from notifications.services import queue_email

from ..models import Case


def case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:detail", args=[case.number])


def staff_case_url(case: Case) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("cases:workspace", args=[case.number])


def email_person(
    *,
    person: User | None,
    template: str,
    case: Case,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Queue ``template`` for ``person`` about ``case``; nobody to mail means no mail."""
    if person is None or not person.email or not person.is_active:
        return
    url = staff_case_url(case) if person.is_support_staff else case_url(case)
    context = {"case": case, "recipient": person, "case_url": url, **(extra or {})}
    queue_email(
        to=person.email,
        template=template,
        context=context,
        language=person.language or "en",
        tz=person.timezone or "UTC",
        case_number=case.number,
        dedupe_key=dedupe_key,
    )
