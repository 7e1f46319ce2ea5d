"""The same mail delivered twice (an MTA retry, two pollers, the webhook and the
mailbox both) is stored once and adds one message: same Message-ID, or the same raw
bytes when it has none."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases.models import Case
from inbound.models import Disposition, InboundMessage, Reason
from inbound.services import ingest_raw_message
from tests.inbound.mails import plain_mail


def test_the_same_reply_twice_adds_one_message(corpus, ingest, waiting_case):
    raw = corpus("outlook_en_reply.eml")

    first = ingest(raw)
    second = ingest(raw)

    assert first.pk == second.pk
    assert InboundMessage.objects.count() == 1
    assert waiting_case.messages.filter(channel="email").count() == 1


def test_the_same_message_id_through_another_path_is_the_same_mail(corpus, ingest, waiting_case):
    raw = corpus("outlook_en_reply.eml")
    relayed = b"Received: from relay.acme.example by mx.support.example; Mon, 5 Jan 2026 11:02:20 +0000\r\n" + raw

    ingest(raw)
    again = ingest(relayed)

    assert again.disposition == Disposition.REPLY
    assert InboundMessage.objects.count() == 1
    assert waiting_case.messages.filter(channel="email").count() == 1


def test_a_mail_without_message_id_is_recognised_by_its_bytes(ingest, alice):
    raw = plain_mail(sender=alice.email, message_id=None)

    first = ingest(raw)
    second = ingest(raw)
    other = ingest(raw + b"P.S. One more thing.\n")

    assert first.pk == second.pk != other.pk
    assert first.message_id == ""
    assert Case.objects.count() == 2


def test_a_mail_stored_but_not_routed_is_routed_when_it_comes_again(ingest, alice):
    raw = plain_mail(sender=alice.email)
    first = ingest(raw)
    # As a crash between storing and routing would have left it.
    InboundMessage.objects.filter(pk=first.pk).update(disposition=Disposition.QUARANTINE, reason=Reason.UNPROCESSED)
    first.case.delete()

    again = ingest(raw)

    assert again.pk == first.pk
    assert (again.disposition, again.reason) == (Disposition.NEW_CASE, "")
    assert Case.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_store_and_route_once(corpus_free_reply):
    raw, case = corpus_free_reply
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(ingest_raw_message(raw, source="pipe").pk)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(set(results)) == 1
    assert InboundMessage.objects.count() == 1
    assert case.messages.filter(channel="email").count() == 1


@pytest.fixture
def corpus_free_reply(acme, alice, engineer):  # type: ignore[no-untyped-def]
    """A reply to an Acme case by its reply address, in a committed database."""
    from cases.services.mail import reply_address
    from tests.factories import CaseFactory

    case = CaseFactory(organization=acme, requester=alice, assignee=engineer, status="open")
    return plain_mail(sender=alice.email, to=reply_address(case), message_id="<race-1@acme.example>"), case
