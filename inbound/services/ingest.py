"""Taking in one raw e-mail: store it, then decide where it goes.

Every source (the MTA pipe, the IMAP poller, the webhook) calls
:func:`ingest_raw_message` or, for a stream of unknown length, :func:`ingest_stream`.

1. **Store.** The raw bytes go to the default storage and a row is written, before
   anything is parsed; the same mail again (same Message-ID, or the same bytes when it
   has none) finds the stored row and is not stored twice. Memory stays bounded: a
   stream is spooled to disk past 1 MB.
2. **Route**, in one transaction holding the row's lock: noise, quarantine, a reply on
   its case, or a new case. A mail that fails in an unforeseen way is quarantined
   (``failed``) with the error; nothing about it is lost, and the next mail goes on.
   A crash between the two steps leaves the row quarantined as ``unprocessed``: it is
   in the operators' queue, and the same mail delivered again is routed then.

Only a failure to store (the database or the storage is down) raises: the pipe's exit
status then tells the MTA to try again later.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import tempfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Status
from cases.permissions import is_case_customer
from casetracker.errors import Conflict

from ..classify import noise_kind
from ..models import Disposition, InboundMessage, Reason, Source
from ..parsing import HEAD_BYTES, MalformedMail, ParsedMail, parse_headers, parse_mail
from ..selectors import case_by_id, case_for_message_ids, find_duplicate, mail_organization_for, user_by_email
from ..tokens import tokens_in_addresses, tokens_in_references, verify_token
from .bounces import record_bounce
from .posting import open_case_from_mail, post_mail_on_case

logger = logging.getLogger("inbound")

CHUNK_BYTES = 1024 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


@dataclass
class _Raw:
    file: IO[bytes]
    size: int
    sha256: str
    head: bytes
    data: bytes | None = None  # the whole mail, when the caller already holds it


def ingest_raw_message(raw: bytes, *, source: str) -> InboundMessage:
    """Store one raw e-mail and route it; returns the stored row (the earlier one for a
    mail seen before)."""
    raw = bytes(raw)
    stored = _Raw(
        file=io.BytesIO(raw),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        head=raw[:HEAD_BYTES],
        data=raw,
    )
    return _ingest(stored, source=source)


def ingest_stream(stream: IO[bytes], *, source: str) -> InboundMessage:
    """The same as :func:`ingest_raw_message` for a stream of any length: it is spooled
    (to disk past 1 MB), so a 50 MB mail never sits in memory."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        digest = hashlib.sha256()
        size = 0
        head = bytearray()
        while chunk := stream.read(CHUNK_BYTES):
            if isinstance(chunk, str):  # a text stream (a test's StringIO): back to bytes
                chunk = chunk.encode("utf-8", "surrogateescape")
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
        spool.seek(0)
        data = spool.read() if size <= settings.INBOUND_MAX_BYTES else None
        spool.seek(0)
        return _ingest(
            _Raw(file=spool, size=size, sha256=digest.hexdigest(), head=bytes(head), data=data), source=source
        )
    finally:
        spool.close()


def _ingest(raw: _Raw, *, source: str) -> InboundMessage:
    if source not in Source.values:
        raise ValueError(f"unknown inbound source {source!r}")
    row, created = _store(raw, source=source)
    if not created:
        logger.info("inbound %s: the same mail again (%s), stored once", row.pk, row.message_id or row.sha256[:12])
        if row.reason != Reason.UNPROCESSED:
            return row
    return _route_safely(row, raw.data)


# --- Store ----------------------------------------------------------------------------


def _store(raw: _Raw, *, source: str) -> tuple[InboundMessage, bool]:
    try:
        headers = parse_headers(raw.head)
    except MalformedMail:
        headers = ParsedMail()
    existing = find_duplicate(message_id=headers.message_id, sha256=raw.sha256)
    if existing is not None:
        return existing, False
    row = InboundMessage(
        size=raw.size,
        sha256=raw.sha256,
        message_id=headers.message_id,
        sender=headers.sender,
        sender_name=headers.sender_name,
        subject=headers.subject[:255],
        source=source,
        disposition=Disposition.QUARANTINE,
        reason=Reason.UNPROCESSED,
    )
    content = ContentFile(raw.data) if raw.data is not None else File(raw.file)
    content.size = raw.size
    row.raw.save("mail.eml", content, save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # The same mail, stored by a concurrent delivery a moment ago.
        row.raw.delete(save=False)
        existing = find_duplicate(message_id=headers.message_id, sha256=raw.sha256)
        if existing is None:
            raise
        return existing, False
    except DatabaseError:
        row.raw.delete(save=False)
        raise
    return row, True


# --- Route ----------------------------------------------------------------------------


def _route_safely(row: InboundMessage, data: bytes | None) -> InboundMessage:
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=row.pk)
            if locked.reason != Reason.UNPROCESSED or locked.disposition != Disposition.QUARANTINE:
                return locked  # routed meanwhile, or an operator took it
            _route(locked, data)
            locked.save()
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: the row stays "unprocessed", routed on redelivery
    except Exception as error:
        logger.exception("inbound %s: processing failed; quarantined", row.pk)
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=row.pk)
            if locked.reason == Reason.UNPROCESSED:
                _hold(locked, Reason.FAILED, f"{type(error).__name__}: {error}")
                locked.save()
        return locked
    _log(locked)
    return locked


def _log(row: InboundMessage) -> None:
    what = row.disposition + (f" ({row.reason})" if row.reason else "")
    where = f" on {row.case.number}" if row.case_id and row.case else ""
    level = logging.WARNING if row.disposition == Disposition.QUARANTINE else logging.INFO
    logger.log(
        level, "inbound %s via %s from %s: %s%s%s", row.pk, row.source, row.sender or "?", what, where,
        f": {row.detail}" if row.detail else "",
    )  # fmt: skip


def _hold(row: InboundMessage, reason: str, detail: str = "") -> None:
    row.disposition = Disposition.QUARANTINE
    row.reason = reason
    row.detail = detail[:2000]


def _read(row: InboundMessage, data: bytes | None) -> bytes:
    if data is not None:
        return data
    with row.raw.open("rb") as handle:
        return handle.read()


def _route(row: InboundMessage, data: bytes | None) -> None:
    if row.size > settings.INBOUND_MAX_BYTES:
        _hold(
            row,
            Reason.TOO_LARGE,
            f"{filesizeformat(row.size)}, over the limit of {filesizeformat(settings.INBOUND_MAX_BYTES)}",
        )
        return
    try:
        mail = parse_mail(_read(row, data), max_attachments=settings.INBOUND_MAX_ATTACHMENTS)
    except MalformedMail as error:
        _hold(row, Reason.MALFORMED, str(error))
        return
    row.sender = mail.sender
    row.sender_name = mail.sender_name
    row.subject = mail.subject[:255]

    noise = noise_kind(mail)
    if noise is not None:
        row.disposition = Disposition.NOISE
        row.reason = noise
        if noise == Reason.BOUNCE:
            row.case = case_for_message_ids([mail.bounced_message_id]) if mail.bounced_message_id else None
            row.detail = record_bounce(mail=mail, report=row)
        return
    if not mail.sender:
        _hold(row, Reason.NO_SENDER, "no usable From address")
        return
    if mail.attachment_count > settings.INBOUND_MAX_ATTACHMENTS:
        _hold(
            row,
            Reason.TOO_MANY_ATTACHMENTS,
            f"{mail.attachment_count} attachments, over the limit of {settings.INBOUND_MAX_ATTACHMENTS}",
        )
        return

    case, bad_token = _referenced_case(mail)
    if bad_token:
        _hold(row, Reason.BAD_TOKEN, bad_token)
        row.case = case
        return
    sender = user_by_email(mail.sender)
    if case is not None:
        _route_reply(row, mail, case, sender)
    else:
        _route_new_case(row, mail, sender)


def _referenced_case(mail: ParsedMail) -> tuple[Case | None, str]:
    """The case the mail answers, and why a reference to one is refused ("" if it is not).

    A reply address (To, Cc, Delivered-To, X-Original-To) wins; then our Message-IDs in
    In-Reply-To / References (a reply to the bare support address still lands). A reply
    address that does not verify is refused even when a reference would match, and so is
    a reference to a case thread that does not verify when nothing else matches: someone
    tried to forge one (or the key changed without SECRET_KEY_FALLBACKS).
    """
    tokens = tokens_in_addresses(mail.recipients)
    for token in tokens:
        case_id = verify_token(token)
        if case_id is not None:
            case = case_by_id(case_id)
            if case is not None:
                return _still_open_to_replies(case)
    if tokens:
        return None, "the reply address does not name a case"
    thread_tokens = tokens_in_references(mail.references)
    for token in thread_tokens:
        case_id = verify_token(token)
        case = case_by_id(case_id) if case_id is not None else None
        if case is not None:
            return _still_open_to_replies(case)
    case = case_for_message_ids(mail.references)
    if case is not None:
        return _still_open_to_replies(case)
    if thread_tokens:
        return None, "the case thread it refers to does not verify"
    return None, ""


def _still_open_to_replies(case: Case) -> tuple[Case | None, str]:
    """Replies are taken while the case exists and for INBOUND_REPLY_DAYS_AFTER_CLOSE
    days after it closed (a reply to a closed case is then held as ``case_closed``);
    past that the reply address has expired."""
    if case.status == Status.CLOSED and case.closed_at is not None:
        expired = case.closed_at + datetime.timedelta(days=settings.INBOUND_REPLY_DAYS_AFTER_CLOSE)
        if timezone.now() > expired:
            return case, f"the reply address of {case.number} expired (closed on {case.closed_at:%Y-%m-%d})"
    return case, ""


def _route_reply(row: InboundMessage, mail: ParsedMail, case: Case, sender: User | None) -> None:
    row.case = case
    if sender is None:
        _hold(row, Reason.UNKNOWN_SENDER, f"no active user has the address {mail.sender}")
        return
    if not is_case_customer(sender, case):
        _hold(row, Reason.NOT_A_MEMBER, f"{mail.sender} is not a member of {case.organization.name}")
        return
    if case.status == Status.CLOSED:
        _hold(row, Reason.CASE_CLOSED, f"{case.number} is closed")
        return
    try:
        message = post_mail_on_case(case=case, author=sender, mail=mail)
    except Conflict as error:
        _hold(row, Reason.CASE_CLOSED, str(error))
        return
    except (ValidationError, PermissionDenied) as error:
        _hold(row, Reason.REFUSED, _error_text(error))
        return
    row.disposition = Disposition.REPLY
    row.reason = ""
    row.case_message = message


def _route_new_case(row: InboundMessage, mail: ParsedMail, sender: User | None) -> None:
    if sender is None:
        _hold(row, Reason.UNKNOWN_SENDER, f"no active user has the address {mail.sender}")
        return
    if sender.is_support_staff:
        _hold(row, Reason.NOT_A_CUSTOMER, f"{mail.sender} is support staff; staff log cases from the phone desk")
        return
    organization = mail_organization_for(sender)
    if organization is None:
        _hold(row, Reason.NOT_A_MEMBER, f"{mail.sender} has no primary organization")
        return
    try:
        case = open_case_from_mail(actor=sender, requester=sender, organization=organization, mail=mail)
    except (ValidationError, PermissionDenied, Conflict) as error:
        _hold(row, Reason.REFUSED, _error_text(error))
        return
    row.disposition = Disposition.NEW_CASE
    row.reason = ""
    row.case = case


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(map(str, messages))}" for field, messages in error.message_dict.items()
            )
        return " ".join(str(message) for message in error.messages)
    return str(error)
