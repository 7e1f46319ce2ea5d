"""The quarantine API (any staff; customers get 403): the list of held mail, and the
three actions on a held mail — attach it to a case, open a case for a customer from it,
discard it — each on mail still held only (409 otherwise)."""

from __future__ import annotations

import pytest

from cases.models import Case, Channel
from inbound.models import Disposition, InboundMessage, Reason
from notifications.models import OutboxEmail
from tests.inbound.mails import plain_mail

QUARANTINE = "/api/v1/mail/quarantine/"


@pytest.fixture
def held(ingest, waiting_case) -> InboundMessage:  # type: ignore[no-untyped-def]
    """A mail from a colleague of Alice's who has no account yet, to the support address."""
    return ingest(
        plain_mail(
            sender="Bob Builder <bob@acme.example>",
            subject="=?utf-8?q?Log_file_f=C3=BCr_the_license_server?=",
            body="Alice asked me to send the log.\n\n-- \nBob",
            message_id="<bob-1@acme.example>",
        )
    )


def test_staff_list_held_mail_with_decoded_subject_and_reason(api, operator, held, ingest, corpus):
    ingest(corpus("unknown_sender.eml"))

    response = api(operator).get(QUARANTINE)

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    item = next(row for row in page["results"] if row["id"] == held.pk)
    assert {key: item[key] for key in ("id", "sender", "subject", "reason")} == {
        "id": held.pk,
        "sender": "bob@acme.example",
        "subject": "Log file für the license server",
        "reason": "unknown_sender",
    }
    assert item["received_at"]


def test_mail_that_found_its_place_is_not_listed(api, engineer, corpus, ingest, waiting_case):
    ingest(corpus("outlook_en_reply.eml"))
    ingest(corpus("newsletter_precedence_bulk.eml"))

    assert api(engineer).get(QUARANTINE).json()["count"] == 0


@pytest.mark.parametrize("action", ["", "1/attach/", "1/open-case/", "1/discard/"])
def test_customers_are_refused(api, alice, oscar, held, action):
    url = QUARANTINE + action.replace("1", str(held.pk))
    for customer in (alice, oscar):
        response = api(customer).post(url, {}, format="json") if action else api(customer).get(url)

        assert response.status_code == 403
    held.refresh_from_db()
    assert held.disposition == Disposition.QUARANTINE


def test_customers_never_see_an_original(api, alice, held):
    assert api(alice).get(f"/api/v1/mail/inbound/{held.pk}/").status_code == 403
    assert api(alice).get(f"/api/v1/mail/inbound/{held.pk}/raw/").status_code == 403


def test_attaching_an_unknown_senders_mail_makes_an_internal_note_naming_them(
    api, operator, held, waiting_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(operator).post(f"{QUARANTINE}{held.pk}/attach/", {"case": waiting_case.number}, format="json")

    assert response.status_code == 200
    assert response.json()["disposition"] == Disposition.ATTACHED
    held.refresh_from_db()
    message = held.case_message
    assert (held.disposition, held.case, held.handled_by) == (Disposition.ATTACHED, waiting_case, operator)
    assert held.handled_at is not None
    assert (message.author, message.channel, message.internal) == (operator, Channel.EMAIL, True)
    assert "Bob Builder <bob@acme.example>" in message.body
    assert "Alice asked me to send the log." in message.body
    assert not OutboxEmail.objects.filter(to="bob@acme.example").exists()


def test_attaching_a_members_mail_makes_it_their_message(api, engineer, ingest, waiting_case, alice, corpus):
    case = Case.objects.get(pk=waiting_case.pk)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=case.updated_at)
    held = ingest(corpus("outlook_en_reply.eml"))
    assert held.reason == Reason.CASE_CLOSED
    Case.objects.filter(pk=case.pk).update(status="open", closed_at=None)

    response = api(engineer).post(f"{QUARANTINE}{held.pk}/attach/", {"case": case.number}, format="json")

    assert response.status_code == 200
    held.refresh_from_db()
    assert (held.case_message.author, held.case_message.internal) == (alice, False)
    assert held.case_message.body.startswith("Hi Erin,")
    assert [a.name for a in held.case_message.attachments.all()] == ["server log.txt"]


def test_opening_a_case_from_held_mail_logs_it_for_the_customer(
    api, operator, held, alice, acme, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(operator).post(f"{QUARANTINE}{held.pk}/open-case/", {"requester": alice.email}, format="json")

    assert response.status_code == 200
    held.refresh_from_db()
    case = held.case
    assert held.disposition == Disposition.NEW_CASE
    assert (case.requester, case.organization, case.created_by, case.channel) == (alice, acme, operator, Channel.EMAIL)
    assert (case.title, case.severity, case.request_type) == ("Log file für the license server", "medium", "incident")
    assert "Alice asked me to send the log." in case.description
    assert [mail.to for mail in mailoutbox if case.number in mail.subject] == [[alice.email]]


def test_discarding_takes_mail_out_of_the_queue_and_keeps_it(api, operator, held):
    response = api(operator).post(f"{QUARANTINE}{held.pk}/discard/", format="json")

    assert response.status_code == 200
    held.refresh_from_db()
    assert (held.disposition, held.handled_by) == (Disposition.DISCARDED, operator)
    assert held.raw.size > 0
    assert api(operator).get(QUARANTINE).json()["count"] == 0


@pytest.mark.parametrize(
    ("action", "body"), [("attach", {"case": "C-000001"}), ("open-case", {"requester": "x"}), ("discard", {})]
)
def test_mail_no_longer_held_answers_409(api, operator, held, action, body):
    api(operator).post(f"{QUARANTINE}{held.pk}/discard/", format="json")

    response = api(operator).post(f"{QUARANTINE}{held.pk}/{action}/", body, format="json")

    assert response.status_code == 409
    assert "detail" in response.json()


def test_mail_that_landed_by_itself_cannot_be_attached_again(api, engineer, ingest, corpus, waiting_case):
    landed = ingest(corpus("outlook_en_reply.eml"))

    response = api(engineer).post(f"{QUARANTINE}{landed.pk}/attach/", {"case": waiting_case.number}, format="json")

    assert response.status_code == 409
    assert waiting_case.messages.filter(channel="email").count() == 1


def test_bad_input_names_the_field(api, operator, held):
    assert api(operator).post(f"{QUARANTINE}{held.pk}/attach/", {"case": "C-999999"}, format="json").json() == {
        "case": ["There is no case C-999999."]
    }
    response = api(operator).post(
        f"{QUARANTINE}{held.pk}/open-case/", {"requester": "olga@vendor.example"}, format="json"
    )
    assert response.status_code == 400
    assert "requester" in response.json()
    assert api(operator).post(f"{QUARANTINE}999999/discard/", format="json").status_code == 404


def test_an_unreadable_mail_can_be_discarded_but_not_put_on_a_case(api, operator, ingest, corpus, waiting_case):
    held = ingest(corpus("malformed_bytes.eml"))

    response = api(operator).post(f"{QUARANTINE}{held.pk}/attach/", {"case": waiting_case.number}, format="json")

    assert response.status_code == 400
    assert api(operator).post(f"{QUARANTINE}{held.pk}/discard/", format="json").status_code == 200


def test_a_mail_whose_stored_file_is_lost_answers_404_not_500(api, operator, held, client):
    held.raw.storage.delete(held.raw.name)

    assert api(operator).get(f"/api/v1/mail/inbound/{held.pk}/").status_code == 404
    assert api(operator).get(f"/api/v1/mail/inbound/{held.pk}/raw/").status_code == 404
    client.force_login(operator)
    assert client.get(f"/staff/mail/{held.pk}/").status_code == 404
