"""Auto-replies, bounces, list and bulk mail and our own mail coming back are stored
for inspection and nothing more: never answered, never on a case; a bounce marks the
address that failed."""

from __future__ import annotations

import pytest

from cases.models import Case, Status
from inbound.models import Disposition, FailingAddress, Reason
from notifications.models import OutboxEmail

NOISE = [
    ("postfix_dsn_bounce.eml", Reason.BOUNCE),
    ("exim_bounce.eml", Reason.BOUNCE),
    ("outlook_out_of_office.eml", Reason.AUTO_REPLY),
    ("yandex_x_autoreply_ru.eml", Reason.AUTO_REPLY),
    ("newsletter_precedence_bulk.eml", Reason.BULK),
    ("mailing_list_copy.eml", Reason.MAILING_LIST),
    ("from_our_own_address.eml", Reason.OWN_ADDRESS),
]


@pytest.mark.parametrize(("name", "kind"), NOISE, ids=[row[0] for row in NOISE])
def test_noise_is_stored_and_goes_nowhere(name, kind, corpus, ingest, waiting_case, acme_people, mailoutbox):
    messages_before = waiting_case.messages.count()
    cases_before = Case.objects.count()
    outbox_before = OutboxEmail.objects.count()
    mailoutbox.clear()

    inbound = ingest(corpus(name))

    assert (inbound.disposition, inbound.reason) == (Disposition.NOISE, kind)
    assert inbound.case_message is None
    assert waiting_case.messages.count() == messages_before
    assert Case.objects.count() == cases_before
    assert OutboxEmail.objects.count() == outbox_before
    assert mailoutbox == []
    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.WAITING_ON_CUSTOMER


def test_a_delivery_report_marks_the_failed_recipient(corpus, ingest, waiting_case):
    inbound = ingest(corpus("postfix_dsn_bounce.eml"))

    failing = FailingAddress.objects.get(email="bob@acme.example")
    assert failing.bounce_count == 1
    assert failing.last_status == "5.1.1"
    assert "User unknown" in failing.last_diagnostic
    assert failing.last_report == inbound
    # The report quotes our Message-ID: the bounce is linked to the case for inspection.
    assert inbound.case == waiting_case


def test_each_bounce_for_the_same_address_counts(corpus, ingest):
    ingest(corpus("exim_bounce.eml"))
    second = corpus("exim_bounce.eml").replace(b"E1rLx9A-000Bcd-Ef@", b"E1rLx9A-000Bcd-Eg@")
    ingest(second)

    assert FailingAddress.objects.get(email="carol@globex.example").bounce_count == 2


def test_an_out_of_office_with_a_valid_reply_address_does_not_reopen_the_case(corpus, ingest, waiting_case):
    raw = corpus("outlook_out_of_office.eml")
    assert b"support+c" in raw

    ingest(raw)

    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.WAITING_ON_CUSTOMER
    assert waiting_case.auto_close_at is not None


def test_failing_addresses_are_listed_in_the_admin(corpus, ingest, admin_user, browser_for):
    ingest(corpus("postfix_dsn_bounce.eml"))
    admin_user.is_superuser = True
    admin_user.save()

    response = browser_for(admin_user).get("/admin/inbound/failingaddress/")

    assert response.status_code == 200
    assert "bob@acme.example" in response.content.decode()
