"""What operators do with held mail: attach it to a case, open a case from it, discard it.

Each action takes the row's lock and acts only on mail still in quarantine (409
otherwise): two operators clicking at once handle a mail once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case
from cases.permissions import is_case_customer, is_staff
from casetracker.errors import Conflict

from ..models import Disposition, InboundMessage
from ..parsing import MalformedMail, ParsedMail, parse_mail
from ..selectors import mail_organization_for, user_by_email
from .posting import open_case_from_mail, post_mail_on_case


def _lock_held(inbound: InboundMessage, actor: User) -> InboundMessage:
    if not is_staff(actor):
        raise PermissionDenied(_("Only support staff handle held e-mail."))
    locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
    if locked.disposition != Disposition.QUARANTINE:
        raise Conflict(_("This e-mail is no longer in quarantine: someone has already handled it."))
    return locked


def _readable(inbound: InboundMessage) -> ParsedMail:
    if inbound.size > settings.INBOUND_MAX_BYTES:
        raise ValidationError(
            _("This e-mail is larger than the limit and cannot be put on a case. Download the original instead.")
        )
    with inbound.raw.open("rb") as handle:
        raw = handle.read()
    try:
        return parse_mail(raw, max_attachments=settings.INBOUND_MAX_ATTACHMENTS)
    except MalformedMail as error:
        raise ValidationError(
            _("This e-mail cannot be read, so it cannot be put on a case. Download the original or discard it.")
        ) from error


def _handled(inbound: InboundMessage, actor: User, disposition: str) -> None:
    inbound.disposition = disposition
    inbound.handled_by = actor
    inbound.handled_at = timezone.now()


@transaction.atomic
def attach_mail_to_case(*, inbound: InboundMessage, case: Case, actor: User) -> InboundMessage:
    """Put a held mail on a case, channel e-mail. A sender who is a customer of the
    case's organization writes it as their own message (as if the reply had matched);
    a sender on the support staff, as their internal note; anyone else's mail becomes
    an internal note by the operator that names the sender, so that nothing an outsider
    wrote reaches the customer or the SLA clocks unseen."""
    inbound = _lock_held(inbound, actor)
    mail = _readable(inbound)
    if mail.attachment_count > settings.INBOUND_MAX_ATTACHMENTS:
        raise ValidationError(
            _("This e-mail has %(n)d attachments, more than the %(limit)d a case takes from one e-mail.")
            % {"n": mail.attachment_count, "limit": settings.INBOUND_MAX_ATTACHMENTS}
        )
    sender = user_by_email(mail.sender)
    if sender is not None and is_case_customer(sender, case):
        message = post_mail_on_case(case=case, author=sender, mail=mail)
    elif sender is not None and sender.is_support_staff:
        message = post_mail_on_case(case=case, author=sender, mail=mail, internal=True)
    else:
        who = f"{mail.sender_name} <{mail.sender}>" if mail.sender_name else (mail.sender or _("an unknown sender"))
        message = post_mail_on_case(
            case=case,
            author=actor,
            mail=mail,
            internal=True,
            preface=_("E-mail from %(sender)s, added by %(operator)s:") % {"sender": who, "operator": actor},
        )
    _handled(inbound, actor, Disposition.ATTACHED)
    inbound.case = case
    inbound.case_message = message
    inbound.save()
    return inbound


@transaction.atomic
def open_case_from_held_mail(*, inbound: InboundMessage, requester: User, actor: User) -> InboundMessage:
    """Log a case for ``requester`` (a customer) from a held mail, as the phone desk
    would: the operator is the one who logs it, the customer gets the confirmation."""
    inbound = _lock_held(inbound, actor)
    if requester.is_support_staff or not requester.is_active:
        raise ValidationError({"requester": _("The requester must be a customer.")})
    mail = _readable(inbound)
    if mail.attachment_count > settings.INBOUND_MAX_ATTACHMENTS:
        raise ValidationError(
            _("This e-mail has %(n)d attachments, more than the %(limit)d a case takes from one e-mail.")
            % {"n": mail.attachment_count, "limit": settings.INBOUND_MAX_ATTACHMENTS}
        )
    case = open_case_from_mail(
        actor=actor, requester=requester, organization=mail_organization_for(requester), mail=mail
    )
    _handled(inbound, actor, Disposition.NEW_CASE)
    inbound.case = case
    inbound.save()
    return inbound


@transaction.atomic
def discard_mail(*, inbound: InboundMessage, actor: User) -> InboundMessage:
    """Set a held mail aside for good; it stays stored for the record."""
    inbound = _lock_held(inbound, actor)
    _handled(inbound, actor, Disposition.DISCARDED)
    inbound.save()
    return inbound
