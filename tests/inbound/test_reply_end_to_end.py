"""The whole reply loop on real servers: the engineer asks for the log file, the mail
leaves through SMTP (the sink on loopback) carrying the case's reply address; Alice's
mail program answers it; the answer lands in the support mailbox (Dovecot on
loopback); the poller puts it on the case, which goes back to open, and the engineer
is told."""

from __future__ import annotations

import io
import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from django.core.management import call_command

from cases.models import Channel, Status
from inbound.models import Disposition, InboundMessage
from notifications.models import OutboxEmail
from tests.factories import CaseFactory
from tests.inbound.dovecot import dovecot

__all__ = ["dovecot"]


def _reply_to(sent: EmailMessage, *, text: str, attachment: bytes) -> bytes:
    """What a mail program makes of "Reply": to the Reply-To, threaded, history quoted."""
    reply = EmailMessage()
    reply["From"] = "Alice Acme <alice@acme.example>"
    reply["To"] = sent["Reply-To"]
    reply["Subject"] = f"Re: {sent['Subject']}"
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = make_msgid(domain="acme.example")
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References']} {sent['Message-ID']}"
    quoted = "\n".join(f"> {line}" for line in sent.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{text}\n\nOn {sent['Date']}, Acme Support <support@support.example> wrote:\n{quoted}\n")
    reply.add_attachment(attachment, maintype="text", subtype="plain", filename="license.log")
    return reply.as_bytes()


def test_a_reply_to_our_mail_comes_back_onto_the_case(
    smtp_sink, dovecot, api, engineer, alice, acme, django_capture_on_commit_callbacks
):
    case = CaseFactory(organization=acme, requester=alice, assignee=engineer, status=Status.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(engineer).post(
            f"/api/v1/cases/{case.number}/request-info/", {"body": "Please send us the log file."}, format="json"
        )
    assert response.status_code == 200
    [sent] = smtp_sink.wait_for(1)
    assert re.fullmatch(rf"support\+c{case.pk}-[a-z2-7]{{32}}@support\.example", sent["Reply-To"])
    assert sent["In-Reply-To"] == f"<case-c{case.pk}-{sent['Reply-To'].split('-')[1].split('@')[0]}@support.example>"

    dovecot.deliver(_reply_to(sent, text="Here is the log.", attachment=b"ERROR port 27000 refused\n"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("poll_imap", stdout=io.StringIO())

    case.refresh_from_db()
    [message] = case.messages.filter(author=alice)
    assert (message.channel, message.internal, message.body) == (Channel.EMAIL, False, "Here is the log.")
    assert [attachment.name for attachment in message.attachments.all()] == ["license.log"]
    assert case.status == Status.OPEN
    assert case.auto_close_at is None
    inbound = InboundMessage.objects.get()
    assert (inbound.disposition, inbound.case_message) == (Disposition.REPLY, message)
    [notice] = OutboxEmail.objects.filter(to=engineer.email, template="customer_message")
    assert notice.case_number == case.number
    delivered = smtp_sink.wait_for(2)
    assert delivered[1]["To"] == engineer.email
    assert "Here is the log." in delivered[1].get_body(("plain",)).get_content()
    assert dovecot.messages("INBOX") == []
    [processed] = dovecot.messages("Processed")
    assert b"Here is the log." in processed
