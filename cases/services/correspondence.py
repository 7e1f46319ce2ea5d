"""Messages on a case: customer messages, staff replies and internal notes."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from casetracker.errors import Conflict
from casetracker.markup import render_markdown

from ..models import AWAITING_CUSTOMER_STATUSES, Case, Channel, EventKind, Message, Status
from ..permissions import can_write_internal_notes, is_case_customer, is_staff
from .attachments import store_attachments, validate_uploads
from .audit import record_event
from .clocks import refresh_auto_close, refresh_sla
from .mail import email_person

BODY_MAX = 100_000


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock: every change to a case holds it until commit."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("organization", "requester", "assignee")
        .get(pk=case.pk)
    )


def set_status(*, case: Case, actor: User | None, channel: str, status: str, note: str = "") -> None:
    """Move the case to ``status`` and restart its clocks (the caller holds the row
    lock and saves the whole row)."""
    if case.status == status:
        return
    before = case.status
    now = timezone.now()
    case.status = status
    case.status_changed_at = now
    case.updated_at = now
    if status != Status.CLOSED:
        case.closed_at = None
        case.close_reason = ""
    refresh_auto_close(case)
    refresh_sla(case)
    record_event(case=case, actor=actor, channel=channel, kind=EventKind.STATUS, before=before, after=status, note=note)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _("The message is too long.")})
    return body


@transaction.atomic
def add_message(
    *,
    case: Case,
    author: User,
    body: str,
    internal: bool = False,
    channel: str = Channel.WEB,
    files: Sequence[UploadedFile] = (),
    notify: bool = True,
    next_status: str | None = None,
) -> Message:
    """Add to the correspondence. A customer's message on a case that waits for them
    puts it back to ``open``; a public staff message e-mails the requester and opens a
    new case — or moves it straight to ``next_status`` (request info, propose a solution:
    one action, one status change)."""
    body = _clean_body(body)
    staff = is_staff(author)
    if internal and not can_write_internal_notes(author):
        raise ValidationError({"internal": _("Only support staff can write internal notes.")})
    if not staff and not is_case_customer(author, case):
        raise PermissionDenied(_("You may not write on this case."))
    validate_uploads(files)
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(_("This case is closed. Reopen it to continue the conversation."))
    now = timezone.now()
    message = Message.objects.create(
        case=case,
        author=author,
        body=body,
        body_html=render_markdown(body),
        internal=internal,
        channel=channel,
        created_at=now,
    )
    if files:
        store_attachments(case=case, message=message, files=files, uploader=author, internal=internal)
    record_event(
        case=case,
        actor=author,
        channel=channel,
        kind=EventKind.NOTE if internal else EventKind.MESSAGE,
        after={"message": message.pk, "attachments": len(files)},
        public=not internal,
    )
    case.updated_at = now
    case.message_count = F("message_count") + 1
    if internal:
        case.internal_message_count = F("internal_message_count") + 1
    if not internal:
        if staff:
            case.last_staff_reply_at = now
            if case.first_response_at is None:
                case.first_response_at = now
            if next_status is not None:
                set_status(case=case, actor=author, channel=channel, status=next_status)
            elif case.status == Status.NEW:
                set_status(case=case, actor=author, channel=channel, status=Status.OPEN)
            refresh_sla(case)
        elif case.status in AWAITING_CUSTOMER_STATUSES:
            # The customer answered: the auto-close clock stops, the case is ours again.
            set_status(case=case, actor=author, channel=channel, status=Status.OPEN)
    case.save()
    case.refresh_from_db(fields=["message_count", "internal_message_count"])
    if notify and not internal:
        if staff:
            email_person(person=case.requester, template="staff_reply", case=case, extra={"message": message})
        elif case.assignee_id and case.assignee_id != author.pk:
            email_person(person=case.assignee, template="customer_message", case=case, extra={"message": message})
    return message
