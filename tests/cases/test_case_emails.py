"""The e-mails a case sends after commit: who gets one, how many, and what they say."""

from __future__ import annotations

import pytest

from notifications.models import OutboxEmail


@pytest.fixture
def log_case(api, case_input, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``log_case(user, **input)``: POST /api/v1/cases/ and run what follows the commit."""

    def post(user, **overrides):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            response = api(user).post("/api/v1/cases/", case_input(**overrides), format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return post


def test_the_requester_gets_one_confirmation_with_the_number_and_the_request_type(log_case, alice, mailoutbox):
    case = log_case(alice, request_type="license_key")

    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert case["number"] in mail.subject
    assert "Permission to generate a license key" in mail.body
    assert case["number"] in mail.body
    assert "paid" not in mail.body.lower()


def test_a_consultation_confirmation_says_it_is_paid(log_case, alice, mailoutbox):
    case = log_case(alice, request_type="consultation")

    [mail] = mailoutbox
    assert case["number"] in mail.subject
    assert "Consultation" in mail.body
    assert "paid service" in mail.body
    [html, _mime] = mail.alternatives[0]
    assert "paid service" in html


def test_a_phone_call_confirmation_goes_to_the_customer_not_the_operator(log_case, operator, alice, mailoutbox):
    case = log_case(operator, channel="phone", requester=alice.pk)

    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert case["number"] in mail.subject


def test_a_refused_case_sends_nothing(api, alice, case_input, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post("/api/v1/cases/", case_input(severity="enterprise_down"), format="json")

    assert response.status_code == 400
    assert mailoutbox == []
    assert not OutboxEmail.objects.exists()


def test_a_staff_reply_emails_the_requester_once_with_the_text(
    api, engineer, acme_case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(engineer).post(
            f"/api/v1/cases/{acme_case.number}/messages/", {"body": "Please try the 7.2.1 patch."}, format="json"
        )

    assert response.status_code == 201
    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert acme_case.number in mail.subject
    assert "Please try the 7.2.1 patch." in mail.body


def test_an_internal_note_is_never_emailed(api, engineer, acme_case, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(engineer).post(
            f"/api/v1/cases/{acme_case.number}/messages/",
            {"body": "Customer is on an unsupported kernel.", "internal": True},
            format="json",
        )

    assert response.status_code == 201
    assert mailoutbox == []
    assert not OutboxEmail.objects.filter(body_text__contains="unsupported kernel").exists()


def test_a_customer_message_emails_the_assigned_engineer(
    api, alice, engineer, make_case, mailoutbox, django_capture_on_commit_callbacks
):
    case = make_case(status="open", assignee=engineer)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            f"/api/v1/cases/{case.number}/messages/", {"body": "It failed again tonight."}, format="json"
        )

    assert response.status_code == 201
    [mail] = mailoutbox
    assert mail.to == ["erin@vendor.example"]
    assert case.number in mail.subject


def test_the_mail_a_case_sends_commits_with_it(api, alice, case_input):
    """Without a commit (the test's transaction), the outbox row exists but nothing is sent."""
    response = api(alice).post("/api/v1/cases/", case_input(), format="json")

    row = OutboxEmail.objects.get()
    assert row.to == "alice@acme.example"
    assert row.case_number == response.json()["number"]
    assert row.status == "pending"
