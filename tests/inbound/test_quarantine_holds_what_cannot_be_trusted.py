"""Unknown senders, senders outside the case's organization, forged or expired reply
addresses, mail without a sender, mail that is not mail, too many attachments: nothing
is added to any case, nothing is answered, and the mail waits in quarantine with its
reason."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import Case, Status
from inbound.models import Disposition, InboundMessage, Reason
from notifications.models import OutboxEmail
from tests.inbound.mails import plain_mail, with_attachments

HELD = [
    ("no_from.eml", Reason.NO_SENDER),
    ("malformed_bytes.eml", Reason.MALFORMED),
    ("unknown_sender.eml", Reason.UNKNOWN_SENDER),
    ("forged_token.eml", Reason.BAD_TOKEN),
    ("outsider_reply.eml", Reason.NOT_A_MEMBER),
]


@pytest.fixture
def nothing_happens(waiting_case, mailoutbox):  # type: ignore[no-untyped-def]
    """Asserts, after the test's mail, that no case, message or e-mail was made."""
    messages = waiting_case.messages.count()
    cases = Case.objects.count()
    outbox = OutboxEmail.objects.count()
    mailoutbox.clear()

    def check() -> None:
        assert waiting_case.messages.count() == messages
        assert Case.objects.count() == cases
        assert OutboxEmail.objects.count() == outbox
        assert mailoutbox == []
        waiting_case.refresh_from_db()
        assert waiting_case.status == Status.WAITING_ON_CUSTOMER

    return check


@pytest.mark.parametrize(("name", "reason"), HELD, ids=[row[0] for row in HELD])
def test_untrusted_mail_is_held_with_its_reason(name, reason, corpus, ingest, oscar, nothing_happens):
    inbound = ingest(corpus(name))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, reason)
    assert inbound.detail
    assert inbound.raw.size == len(corpus(name))
    nothing_happens()


def test_an_outsider_replying_to_alices_case_adds_nothing_to_it(corpus, ingest, oscar, waiting_case, nothing_happens):
    inbound = ingest(corpus("outsider_reply.eml"))

    assert inbound.reason == Reason.NOT_A_MEMBER
    assert inbound.case == waiting_case  # for the operator: which case it claimed
    assert not waiting_case.messages.filter(author=oscar).exists()
    nothing_happens()


def test_a_forged_token_is_held_even_when_the_references_would_match(corpus, ingest, our_mail, nothing_happens):
    raw = corpus("forged_token.eml").replace(
        b"Message-ID:", f"In-Reply-To: {our_mail.message_id}\nMessage-ID:".encode(), 1
    )

    inbound = ingest(raw)

    assert inbound.reason == Reason.BAD_TOKEN
    nothing_happens()


def test_a_reply_to_a_recently_closed_case_is_held_as_case_closed(corpus, ingest, waiting_case):
    Case.objects.filter(pk=waiting_case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=3)
    )

    inbound = ingest(corpus("outlook_en_reply.eml"))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.CASE_CLOSED)
    assert waiting_case.messages.filter(channel="email").count() == 0


def test_the_reply_address_of_a_case_closed_long_ago_has_expired(corpus, ingest, waiting_case, settings):
    settings.INBOUND_REPLY_DAYS_AFTER_CLOSE = 90
    Case.objects.filter(pk=waiting_case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=91)
    )

    inbound = ingest(corpus("outlook_en_reply.eml"))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.BAD_TOKEN)
    assert "expired" in inbound.detail


def test_support_staff_mailing_the_support_address_is_held(ingest, engineer, nothing_happens):
    inbound = ingest(plain_mail(sender=engineer.email, message_id="<staff-1@vendor.example>"))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.NOT_A_CUSTOMER)
    nothing_happens()


def test_a_mail_with_200_attachments_is_held_without_decoding_them(ingest, alice, nothing_happens):
    inbound = ingest(with_attachments(plain_mail(sender=alice.email), count=200))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.TOO_MANY_ATTACHMENTS)
    assert "200" in inbound.detail
    nothing_happens()


def test_a_mail_nested_too_deep_is_held_as_malformed(ingest, alice, nothing_happens):
    inner = b"Content-Type: text/plain\n\nhello\n"
    for depth in range(60):
        inner = (
            f'Content-Type: multipart/mixed; boundary="b{depth}"\n\n--b{depth}\n'.encode()
            + inner
            + f"\n--b{depth}--\n".encode()
        )
    raw = f"From: {alice.email}\nTo: support@support.example\nSubject: deep\nMessage-ID: <deep@x>\n".encode() + inner

    inbound = ingest(raw)

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.MALFORMED)
    nothing_happens()


def test_held_mail_is_never_answered_and_the_next_mail_still_lands(corpus, ingest, waiting_case, mailoutbox):
    for name in ("malformed_bytes.eml", "no_from.eml", "unknown_sender.eml"):
        ingest(corpus(name))

    inbound = ingest(corpus("outlook_en_reply.eml"))

    assert inbound.disposition == Disposition.REPLY
    held = InboundMessage.objects.filter(disposition=Disposition.QUARANTINE)
    assert held.count() == 3
    assert not [mail for mail in mailoutbox if "stranger@nowhere.example" in mail.to]


def test_a_forged_case_thread_in_the_references_is_a_bad_token(ingest, alice, waiting_case, nothing_happens):
    forged = f"<case-c{waiting_case.pk}-{'b' * 32}@support.example>"

    inbound = ingest(plain_mail(sender=alice.email, headers={"In-Reply-To": forged, "References": forged}))

    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.BAD_TOKEN)
    nothing_happens()
