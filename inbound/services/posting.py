"""Putting a parsed mail on a case, or opening a case from it, through the case services.

Used by routing (a customer's reply, a new case by mail) and by the operators'
quarantine actions, so that a mail lands the same way whichever door it came through.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from cases.models import Case, Channel, Message, RequestType, Severity
from cases.services import add_message, clean_file_name, log_case
from cases.services.attachments import MAX_FILES_PER_MESSAGE
from cases.services.correspondence import BODY_MAX
from cases.services.intake import TITLE_MAX

from ..parsing import ParsedMail
from ..text import trim_reply, trim_signature

logger = logging.getLogger("inbound")


@dataclass
class MailFiles:
    files: list[UploadedFile]
    notes: list[str]


def mail_files(mail: ParsedMail) -> MailFiles:
    """The mail's attachments as uploads for the case services. Names are cleaned (no
    directories, no control characters); empty parts are dropped; a file over the
    attachment limit is left out with a note (the original mail keeps it)."""
    files: list[UploadedFile] = []
    notes: list[str] = []
    limit = settings.ATTACHMENT_MAX_BYTES
    for attachment in mail.attachments:
        name = clean_file_name(attachment.name)
        if name != attachment.name:
            logger.warning("inbound: attachment name %r cleaned to %r", attachment.name[:200], name)
        if not attachment.data:
            logger.info("inbound: empty attachment %r dropped", name)
            continue
        if attachment.size > limit:
            notes.append(
                _("The attachment “%(name)s” (%(size)s) was not added: it is larger than the limit of %(limit)s.")
                % {"name": name, "size": filesizeformat(attachment.size), "limit": filesizeformat(limit)}
            )
            logger.warning("inbound: attachment %r (%s bytes) over the limit, left out", name, attachment.size)
            continue
        files.append(SimpleUploadedFile(name, attachment.data, content_type=attachment.content_type))
    return MailFiles(files=files, notes=notes)


def _fit(body: str, notes: Sequence[str]) -> str:
    tail = "\n\n".join(notes)
    room = BODY_MAX - len(tail) - 200
    if len(body) > room:
        body = body[:room].rstrip() + "\n\n" + _("[The rest of this e-mail was cut; the original is kept by support.]")
    return "\n\n".join(part for part in (body, tail) if part.strip())


def reply_text(mail: ParsedMail) -> str:
    """What the sender wrote in a reply: quoted history and signature trimmed; the
    whole text if trimming leaves nothing."""
    return trim_reply(mail.text) or trim_signature(mail.text) or mail.text.strip()


def _chunks(files: list[UploadedFile]) -> list[list[UploadedFile]]:
    return [files[start : start + MAX_FILES_PER_MESSAGE] for start in range(0, len(files), MAX_FILES_PER_MESSAGE)]


def _add_remaining_files(*, case: Case, author: User, chunks: list[list[UploadedFile]], internal: bool) -> None:
    """Files beyond the per-message limit follow in messages of their own (without
    another notification): nothing the sender attached is left behind."""
    total = sum(len(chunk) for chunk in chunks) + MAX_FILES_PER_MESSAGE
    first = MAX_FILES_PER_MESSAGE + 1
    for chunk in chunks:
        last = first + len(chunk) - 1
        add_message(
            case=case,
            author=author,
            body=_("Attachments %(first)d–%(last)d of %(total)d from the e-mail above.")
            % {"first": first, "last": last, "total": total},
            internal=internal,
            channel=Channel.EMAIL,
            files=chunk,
            notify=False,
        )
        first = last + 1


def post_mail_on_case(
    *, case: Case, author: User, mail: ParsedMail, internal: bool = False, preface: str = ""
) -> Message:
    """The mail as a message on the case (channel e-mail) with its attachments; the
    case services apply every rule (closed case, status back to open, notifications)."""
    with translation.override(author.language or settings.LANGUAGE_CODE):
        attachments = mail_files(mail)
        text = reply_text(mail) or (_("(no text, see the attachments)") if attachments.files else _("(no text)"))
        if preface:
            text = f"{preface}\n\n{text}"
        chunks = _chunks(attachments.files)
        message = add_message(
            case=case,
            author=author,
            body=_fit(text, attachments.notes),
            internal=internal,
            channel=Channel.EMAIL,
            files=chunks[0] if chunks else [],
        )
        if len(chunks) > 1:
            _add_remaining_files(case=case, author=author, chunks=chunks[1:], internal=internal)
    return message


def case_title(subject: str) -> str:
    title = " ".join((subject or "").split())
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return title or _("(no subject)")


def open_case_from_mail(*, actor: User, requester: User, organization: Organization | None, mail: ParsedMail) -> Case:
    """A new case from the mail: incident, medium (both changeable afterwards), channel
    e-mail; ``log_case`` sends the requester the usual confirmation.

    The description keeps quoted text (a forwarded error report is the point of the
    mail) and drops only the signature.
    """
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        attachments = mail_files(mail)
        description = trim_signature(mail.text) or mail.text.strip()
        if not description:
            description = _("(no text, see the attachments)") if attachments.files else _("(no text)")
        chunks = _chunks(attachments.files)
        case = log_case(
            actor=actor,
            title=case_title(mail.subject),
            description=_fit(description, attachments.notes),
            severity=Severity.MEDIUM,
            request_type=RequestType.INCIDENT,
            organization=organization,
            requester=requester if actor.pk != requester.pk else None,
            channel=Channel.EMAIL,
            files=chunks[0] if chunks else [],
        )
        if len(chunks) > 1:
            _add_remaining_files(case=case, author=requester, chunks=chunks[1:], internal=False)
    return case
