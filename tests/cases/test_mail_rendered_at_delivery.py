"""Case e-mails that scheduled jobs queue by ids (automatic closing) are rendered by the
worker that delivers them: the person gets the same mail as if it had been written at
once, in their language and timezone; a mail whose case is gone is parked, not sent."""

from __future__ import annotations

import pytest
from django.db import transaction

from cases.models import CloseReason, Status
from cases.services.mail import LaterMail, email_people_later, email_person
from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import EmailSpec, queue_emails, sweep_outbox
from tests.factories import CaseFactory, CustomerFactory
from tests.smtp_sink import smtp_sink

__all__ = ["smtp_sink"]


@pytest.fixture
def closed_case(acme):  # type: ignore[no-untyped-def]
    requester = CustomerFactory(email="minji@acme.example", language="ko", timezone="Asia/Seoul", organization=acme)
    return CaseFactory(
        organization=acme,
        requester=requester,
        title="백업이 매일 밤 실패합니다",
        status=Status.CLOSED,
        close_reason=CloseReason.AUTO_CLOSED,
    )


def deliver_all(django_capture_on_commit_callbacks, queue) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue()
    sweep_outbox()


def test_a_mail_queued_by_ids_arrives_as_the_mail_written_at_once(
    smtp_sink, closed_case, django_capture_on_commit_callbacks
):
    person = closed_case.requester
    deliver_all(
        django_capture_on_commit_callbacks,
        lambda: email_people_later([LaterMail(person_id=person.pk, case_id=closed_case.pk, template="case_closed")]),
    )
    deliver_all(
        django_capture_on_commit_callbacks,
        lambda: email_person(person=person, template="case_closed", case=closed_case),
    )

    later, at_once = smtp_sink.wait_for(2)
    assert later["To"] == at_once["To"] == "minji@acme.example"
    assert later["Subject"] == at_once["Subject"]
    assert closed_case.number in later["Subject"] and "Case closed" not in later["Subject"]  # Korean
    assert later.get_body(("plain",)).get_content() == at_once.get_body(("plain",)).get_content()
    assert later.get_body(("html",)).get_content() == at_once.get_body(("html",)).get_content()
    assert later["Reply-To"] == at_once["Reply-To"]
    assert later["In-Reply-To"] == at_once["In-Reply-To"]
    row = OutboxEmail.objects.get(message_id=later["Message-ID"])
    assert row.status == OutboxStatus.SENT
    assert row.subject == later["Subject"].strip()  # what was sent stays on the row for the admin
    assert row.context_loader == ""


def test_the_job_writes_ids_not_text(closed_case):
    written = email_people_later(
        [LaterMail(person_id=closed_case.requester_id, case_id=closed_case.pk, template="case_closed")]
    )

    assert written == 1
    row = OutboxEmail.objects.get()
    assert (row.subject, row.body_text, row.context_loader) == ("", "", "case")
    assert row.context_args == {"case": closed_case.pk, "recipient": closed_case.requester_id}
    assert (row.to, row.language, row.tz, row.case_number) == (
        "minji@acme.example",
        "ko",
        "Asia/Seoul",
        closed_case.number,
    )


def test_nobody_to_mail_means_no_mail(closed_case):
    inactive = CustomerFactory(is_active=False)
    no_address = CustomerFactory(email="")

    written = email_people_later(
        [
            LaterMail(person_id=inactive.pk, case_id=closed_case.pk, template="case_closed"),
            LaterMail(person_id=no_address.pk, case_id=closed_case.pk, template="case_closed"),
            LaterMail(person_id=None, case_id=closed_case.pk, template="case_closed"),
        ]
    )

    assert written == 0
    assert not OutboxEmail.objects.exists()


def test_a_mail_about_a_case_that_is_gone_is_parked_not_sent(
    smtp_sink, closed_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        email_people_later(
            [LaterMail(person_id=closed_case.requester_id, case_id=closed_case.pk, template="case_closed")]
        )
    closed_case.delete()

    sweep_outbox()

    row = OutboxEmail.objects.get()
    assert row.status == OutboxStatus.FAILED
    assert "DoesNotExist" in row.last_error
    assert smtp_sink.messages == []


def test_an_unknown_loader_is_refused_when_queued_and_nothing_is_written(db):
    spec = EmailSpec(to="a@acme.example", template="case_closed", context={}, context_loader="nope")

    with pytest.raises(ValueError, match="nope"):
        queue_emails([spec])

    assert not OutboxEmail.objects.exists()


def test_the_same_key_twice_queues_one_mail(closed_case):
    mail = LaterMail(
        person_id=closed_case.requester_id, case_id=closed_case.pk, template="case_closed", dedupe_key="k-1"
    )

    assert email_people_later([mail]) == 1
    assert email_people_later([mail]) == 0
    assert OutboxEmail.objects.count() == 1
