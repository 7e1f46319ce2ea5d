"""From the web tracker a customer escalates once (none → M1); going further takes a
call to support or the feedback form. Phone is for staff recording a call."""

from __future__ import annotations

from escalation.models import Escalation


def test_a_second_web_escalation_tells_the_customer_to_call_or_use_the_feedback_form(
    escalate, alice, acme_case, state_of, mailoutbox
):
    # Given Alice escalated once from the web tracker
    first = escalate(alice, acme_case)
    assert first.status_code == 201
    before = state_of(acme_case)
    mailoutbox.clear()

    # When she tries again
    response = escalate(alice, acme_case, reason="Still nothing.")

    # Then she is told how to go further, and nothing is recorded
    assert response.status_code == 409
    message = response.json()["detail"].lower()
    assert "call support" in message
    assert "feedback form" in message
    assert state_of(acme_case) == before
    assert Escalation.objects.filter(case=acme_case).count() == 1
    assert mailoutbox == []


def test_the_api_channel_is_the_customers_web_tracker_too(escalate, alice, acme_case, state_of):
    escalate(alice, acme_case, channel="api")
    before = state_of(acme_case)

    response = escalate(alice, acme_case, channel="api")

    assert response.status_code == 409
    assert state_of(acme_case) == before


def test_a_customer_cannot_record_a_phone_escalation(escalate, alice, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    response = escalate(alice, acme_case, channel="phone")

    assert response.status_code == 400
    assert "channel" in response.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_a_customer_cannot_skip_the_web_limit_on_an_m1_case_by_claiming_a_phone_call(
    escalate, alice, acme_case, state_of
):
    escalate(alice, acme_case)
    before = state_of(acme_case)

    response = escalate(alice, acme_case, channel="phone")

    assert response.status_code == 400
    assert state_of(acme_case) == before


def test_a_closed_case_cannot_be_escalated(escalate, alice, operator, make_case, engineer, state_of, mailoutbox):
    case = make_case(status="closed", assignee=engineer)
    before = state_of(case)

    by_customer = escalate(alice, case)
    by_phone = escalate(operator, case, channel="phone")

    assert (by_customer.status_code, by_phone.status_code) == (409, 409)
    assert state_of(case) == before
    assert mailoutbox == []


def test_an_escalation_needs_a_reason(escalate, post, alice, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    blank = escalate(alice, acme_case, reason="   ")
    missing = post(alice, f"cases/{acme_case.number}/escalations/", {})

    assert (blank.status_code, missing.status_code) == (400, 400)
    assert "reason" in blank.json()
    assert "reason" in missing.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_staff_escalate_without_naming_the_channel_as_a_phone_call(escalate, operator, acme_case, manager):
    response = escalate(operator, acme_case)

    assert response.status_code == 201, response.json()
    assert (response.json()["level"], response.json()["channel"]) == ("M1", "phone")
