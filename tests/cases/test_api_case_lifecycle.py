"""The status lifecycle through the API: request info, propose, confirm, reopen, withdraw."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Case, Message


def url(case, action: str) -> str:
    return f"/api/v1/cases/{case.number}/{action}/"


@pytest.fixture
def act(api, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``act(user, case, action, body)``: POST the action and run what follows the commit."""

    def post(user, case, action, body=None):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return api(user).post(url(case, action), body or {}, format="json")

    return post


def test_requesting_information_waits_for_the_customer_with_a_public_message_and_an_email(
    act, api, engineer, alice, acme_case, mailoutbox
):
    response = act(engineer, acme_case, "request-info", {"body": "Which kernel version do you run?"})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "waiting_on_customer"
    messages = api(alice).get(url(acme_case, "messages")).json()["results"]
    assert [(m["body"], m["internal"]) for m in messages] == [("Which kernel version do you run?", False)]
    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert acme_case.number in mail.subject
    assert "Which kernel version do you run?" in mail.body


def test_proposing_a_solution_tells_the_customer(act, engineer, acme_case, mailoutbox):
    response = act(engineer, acme_case, "propose-solution", {"body": "Raise max_connections to 200."})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "solution_proposed"
    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert acme_case.number in mail.subject
    assert "Raise max_connections to 200." in mail.body


@pytest.mark.parametrize("status", ["waiting_on_customer", "solution_proposed"])
def test_a_customer_message_on_a_waiting_case_opens_it_again(act, alice, make_case, status):
    case = make_case(status=status)

    response = act(alice, case, "messages", {"body": "Here is the log you asked for."})

    assert response.status_code == 201, response.json()
    case.refresh_from_db()
    assert case.status == "open"


def test_confirming_the_solution_closes_the_case_and_emails_the_requester(act, alice, make_case, mailoutbox):
    case = make_case(status="solution_proposed")

    response = act(alice, case, "confirm")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["close_reason"]) == ("closed", "confirmed")
    assert body["closed_at"] is not None
    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert case.number in mail.subject
    assert "closed" in mail.subject.lower()


@pytest.mark.parametrize("status", ["new", "open", "waiting_on_customer", "closed"])
def test_confirming_without_a_proposed_solution_is_a_conflict_with_a_reason(act, alice, make_case, status, mailoutbox):
    case = make_case(status=status)

    response = act(alice, case, "confirm")

    assert response.status_code == 409
    assert response.json()["detail"]
    case.refresh_from_db()
    assert case.status == status
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["alice", "engineer"])
def test_nobody_writes_on_a_closed_case(act, request, make_case, who):
    case = make_case(status="closed", close_reason="confirmed", closed_at=dt.datetime.now(dt.UTC))

    response = act(request.getfixturevalue(who), case, "messages", {"body": "One more thing."})

    assert response.status_code == 409
    assert response.json()["detail"]
    assert not Message.objects.filter(case=case).exists()


def test_a_case_reopens_within_thirty_days_of_closing(act, alice, make_case):
    case = make_case(status="solution_proposed")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert act(alice, case, "confirm").status_code == 200

    with time_machine.travel(dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC), tick=False):
        response = act(alice, case, "reopen", {"reason": "The backup failed again."})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["closed_at"], body["close_reason"]) == ("open", None, "")


def test_a_case_closed_more_than_thirty_days_ago_does_not_reopen(act, alice, make_case):
    case = make_case(status="solution_proposed")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert act(alice, case, "confirm").status_code == 200

    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        response = act(alice, case, "reopen", {"reason": "The backup failed again."})

    assert response.status_code == 409
    assert "30 days" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == "closed"


def test_staff_reopen_a_recently_closed_case_too(act, engineer, make_case):
    case = make_case(status="closed", close_reason="confirmed", closed_at=dt.datetime.now(dt.UTC))

    response = act(engineer, case, "reopen", {"reason": "The customer called: it came back."})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "open"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_reopening_needs_a_reason(act, alice, make_case, body):
    case = make_case(status="closed", close_reason="confirmed", closed_at=dt.datetime.now(dt.UTC))

    response = act(alice, case, "reopen", body)

    assert response.status_code == 400
    assert "reason" in response.json()
    case.refresh_from_db()
    assert case.status == "closed"


def test_only_a_closed_case_reopens(act, alice, acme_case):
    response = act(alice, acme_case, "reopen", {"reason": "Just because."})

    assert response.status_code == 409


def test_a_customer_withdraws_a_case_they_no_longer_need(act, alice, acme_case, mailoutbox):
    response = act(alice, acme_case, "withdraw", {"reason": "Found it myself."})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["close_reason"]) == ("closed", "withdrawn")
    assert Case.objects.get(pk=acme_case.pk).closed_at is not None
    assert len(mailoutbox) == 1


def test_a_closed_case_cannot_be_withdrawn(act, alice, make_case):
    case = make_case(status="closed", close_reason="confirmed", closed_at=dt.datetime.now(dt.UTC))

    response = act(alice, case, "withdraw")

    assert response.status_code == 409


@pytest.mark.parametrize(("action", "body"), [("confirm", {}), ("withdraw", {"reason": "x"})])
def test_only_the_customer_confirms_or_withdraws(act, engineer, make_case, action, body):
    case = make_case(status="solution_proposed")

    response = act(engineer, case, action, body)

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "solution_proposed"
