"""The IMAP poller against a real Dovecot on loopback: every waiting mail is taken in
and moved to the processed folder; a bad mail is held and moved too, so it never blocks
the inbox; a mail that cannot be stored stays for the next run."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inbound.models import Disposition, InboundMessage, Reason, Source
from inbound.services import imap as imap_service
from inbound.tasks import poll_imap_task
from tests.inbound.dovecot import dovecot
from tests.inbound.mails import plain_mail, write_huge_mail

__all__ = ["dovecot"]


@pytest.fixture
def poll(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    def run() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("poll_imap", stdout=out)
        return out.getvalue()

    return run


CORPUS_LANDINGS = [
    ("outlook_en_reply.eml", Disposition.REPLY, ""),
    ("gmail_ko_reply.eml", Disposition.REPLY, ""),
    ("thunderbird_ru_koi8r_reply.eml", Disposition.REPLY, ""),
    ("outlook_ko_euckr_new_case.eml", Disposition.NEW_CASE, ""),
    ("owa_fr_html_only_new_case.eml", Disposition.NEW_CASE, ""),
    ("thunderbird_zh_rfc2231_new_case.eml", Disposition.NEW_CASE, ""),
    ("postfix_dsn_bounce.eml", Disposition.NOISE, Reason.BOUNCE),
    ("outlook_out_of_office.eml", Disposition.NOISE, Reason.AUTO_REPLY),
    ("malformed_bytes.eml", Disposition.QUARANTINE, Reason.MALFORMED),
    ("no_from.eml", Disposition.QUARANTINE, Reason.NO_SENDER),
    ("outsider_reply.eml", Disposition.QUARANTINE, Reason.NOT_A_MEMBER),
    ("forged_token.eml", Disposition.QUARANTINE, Reason.BAD_TOKEN),
]


def test_the_poller_takes_in_the_corpus_and_empties_the_inbox(dovecot, poll, corpus, waiting_case, acme_people, oscar):
    for name, _disposition, _reason in CORPUS_LANDINGS:
        dovecot.deliver(corpus(name))

    output = poll()

    assert f"{len(CORPUS_LANDINGS)} fetched, {len(CORPUS_LANDINGS)} moved" in output
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Processed")) == len(CORPUS_LANDINGS)
    landed = {
        (mail.subject, mail.sender): (mail.disposition, mail.reason)
        for mail in InboundMessage.objects.filter(source=Source.IMAP)
    }
    assert sorted(landed.values()) == sorted((disposition, reason) for _n, disposition, reason in CORPUS_LANDINGS)
    # The three replies are one customer message each on the case.
    assert waiting_case.messages.filter(channel="email", internal=False).count() == 3


def test_the_same_mail_fetched_twice_is_stored_once(dovecot, poll, corpus, waiting_case):
    dovecot.deliver(corpus("outlook_en_reply.eml"))
    poll()
    # The copy comes back (a second delivery, or a run that died before moving it).
    dovecot.deliver(corpus("outlook_en_reply.eml"))

    poll()

    assert InboundMessage.objects.count() == 1
    assert waiting_case.messages.filter(channel="email").count() == 1
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Processed")) == 2


def test_a_large_mail_is_fetched_in_slices_and_held(dovecot, poll, alice, tmp_path, settings, monkeypatch):
    settings.INBOUND_MAX_BYTES = 2 * 1024 * 1024
    monkeypatch.setattr(imap_service, "SLICE_BYTES", 512 * 1024)
    path = tmp_path / "big.eml"
    write_huge_mail(path, sender=alice.email, megabytes=3)
    # IMAP carries lines ended by CRLF (imaplib's APPEND converts them).
    sent = path.read_bytes().replace(b"\n", b"\r\n")
    dovecot.deliver(sent)
    dovecot.deliver(plain_mail(sender=alice.email, message_id="<after-the-big-one@acme.example>"))

    poll()

    big = InboundMessage.objects.get(message_id="<huge-1@acme.example>")
    assert (big.disposition, big.reason, big.size) == (Disposition.QUARANTINE, Reason.TOO_LARGE, len(sent))
    with big.raw.open("rb") as stored:
        assert stored.read() == sent
    assert InboundMessage.objects.get(message_id="<after-the-big-one@acme.example>").disposition == Disposition.NEW_CASE
    assert dovecot.messages("INBOX") == []


def test_a_mail_that_cannot_be_stored_stays_in_the_inbox(dovecot, poll, alice, monkeypatch):
    dovecot.deliver(plain_mail(sender=alice.email, message_id="<first@acme.example>"))
    dovecot.deliver(plain_mail(sender=alice.email, message_id="<second@acme.example>"))

    def database_down(stream, *, source):  # type: ignore[no-untyped-def]
        from django.db import OperationalError

        raise OperationalError("the database is down")

    monkeypatch.setattr(imap_service, "ingest_stream", database_down)

    with pytest.raises(CommandError, match="could not be stored"):
        poll()

    assert len(dovecot.messages("INBOX")) == 2
    assert dovecot.messages("Processed") == []

    monkeypatch.undo()
    poll()

    assert dovecot.messages("INBOX") == []
    assert InboundMessage.objects.count() == 2


def test_a_server_without_move_gets_copy_delete_expunge(dovecot, poll, alice, monkeypatch):
    dovecot.deliver(plain_mail(sender=alice.email))
    real_connect = imap_service._connect

    def connect_without_move(config):  # type: ignore[no-untyped-def]
        client = real_connect(config)
        client.capabilities = tuple(name for name in client.capabilities if name != "MOVE")
        return client

    monkeypatch.setattr(imap_service, "_connect", connect_without_move)

    poll()

    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("Processed")) == 1


def test_wrong_credentials_are_a_clear_command_error(dovecot, settings, db):
    settings.IMAP_PASSWORD = "not the password"

    with pytest.raises(CommandError, match="login refused"):
        call_command("poll_imap", stdout=io.StringIO())


def test_the_beat_task_runs_the_same_poll(dovecot, alice, django_capture_on_commit_callbacks):
    dovecot.deliver(plain_mail(sender=alice.email))

    with django_capture_on_commit_callbacks(execute=True):
        assert poll_imap_task.delay().get() == 1

    assert InboundMessage.objects.get().source == Source.IMAP


def test_the_beat_task_does_nothing_without_an_imap_host(settings, db):
    settings.IMAP_HOST = ""

    assert poll_imap_task.delay().get() == 0
