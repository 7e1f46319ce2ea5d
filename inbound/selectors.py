"""Reads for inbound mail: who sent it, which case it refers to, what is held."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization, User
from accounts.selectors import primary_organization_for
from cases.models import Case, parse_case_number
from notifications.models import OutboxEmail

from .models import Disposition, InboundMessage
from .parsing import HEAD_BYTES, MalformedMail, ParsedMail, decode_bytes, parse_headers, parse_mail

logger = logging.getLogger(__name__)

RAW_PREVIEW_BYTES = 64 * 1024


def user_by_email(address: str) -> User | None:
    """The active user with this address (addresses are compared case-insensitively)."""
    if not address:
        return None
    return User.objects.filter(email__iexact=address.strip(), is_active=True).first()


def mail_organization_for(user: User) -> Organization | None:
    """Where a case mailed in by this customer goes: their primary association, or
    their only organization when none is marked primary."""
    organization = primary_organization_for(user)
    if organization is not None:
        return organization
    memberships = list(Membership.objects.filter(user=user).select_related("organization")[:2])
    return memberships[0].organization if len(memberships) == 1 else None


def case_by_id(case_id: int) -> Case | None:
    return Case.objects.select_related("organization", "requester", "assignee").filter(pk=case_id).first()


def case_for_message_ids(message_ids: list[str]) -> Case | None:
    """The case of the first of these Message-IDs that is one of our outgoing e-mails."""
    if not message_ids:
        return None
    numbers = dict(
        OutboxEmail.objects.filter(message_id__in=message_ids[:100])
        .exclude(case_number="")
        .values_list("message_id", "case_number")
    )
    for message_id in message_ids:
        pk = parse_case_number(numbers.get(message_id, ""))
        if pk is not None:
            case = case_by_id(pk)
            if case is not None:
                return case
    return None


def find_duplicate(*, message_id: str, sha256: str) -> InboundMessage | None:
    """The stored copy of this mail: same Message-ID, or the same bytes when it has none."""
    if message_id:
        return InboundMessage.objects.filter(message_id=message_id).first()
    return InboundMessage.objects.filter(message_id="", sha256=sha256).first()


def quarantined_mail() -> QuerySet[InboundMessage]:
    return (
        InboundMessage.objects.filter(disposition=Disposition.QUARANTINE)
        .select_related("case")
        .order_by("-received_at", "-id")
    )


def get_inbound(pk: int) -> InboundMessage:
    """One stored mail, for staff (callers check that the viewer is staff)."""
    return get_object_or_404(InboundMessage.objects.select_related("case", "case_message", "handled_by"), pk=pk)


def inbound_for_case_message(message_id: int) -> InboundMessage:
    return get_object_or_404(InboundMessage.objects.select_related("case"), case_message_id=message_id)


@dataclass
class Original:
    """A stored mail decoded for reading: never rendered as HTML (HTML-only mail shows
    as the text it was turned into)."""

    headers: list[dict[str, str]]
    text: str
    attachments: list[dict[str, object]]
    readable: bool
    problem: str = ""


def open_raw(inbound: InboundMessage) -> IO[bytes]:
    """The stored bytes; a file lost from storage answers 404 (and is logged), never a 500."""
    try:
        return inbound.raw.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("inbound mail %s: the stored file %r is missing", inbound.pk, inbound.raw.name)
        raise Http404 from None


def original_of(inbound: InboundMessage) -> Original:
    """Decode a stored mail for staff. A mail over the size limit shows its headers
    only; one that cannot be parsed shows the start of its raw bytes as text."""
    with open_raw(inbound) as handle:
        if inbound.size > settings.INBOUND_MAX_BYTES:
            head = handle.read(HEAD_BYTES)
            try:
                mail = parse_headers(head)
            except MalformedMail:
                mail = ParsedMail()
            return Original(headers=_header_rows(mail), text="", attachments=[], readable=False, problem="too_large")
        raw = handle.read()
    try:
        mail = parse_mail(raw, max_attachments=settings.INBOUND_MAX_ATTACHMENTS)
    except MalformedMail as error:
        return Original(
            headers=[],
            text=decode_bytes(raw[:RAW_PREVIEW_BYTES]),
            attachments=[],
            readable=False,
            problem=str(error),
        )
    attachments: list[dict[str, object]] = [
        {"name": attachment.name, "size": attachment.size, "content_type": attachment.content_type}
        for attachment in mail.attachments
    ]
    return Original(headers=_header_rows(mail), text=mail.text, attachments=attachments, readable=True)


def _header_rows(mail: ParsedMail) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in mail.displayed_headers()]
