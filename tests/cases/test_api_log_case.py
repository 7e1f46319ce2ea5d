"""POST /api/v1/cases/: who logs for which organization, and what is refused (API.md "Cases")."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseEvent
from notifications.models import OutboxEmail
from tests.factories import CustomerFactory

URL = "/api/v1/cases/"


def nothing_was_written() -> bool:
    return not Case.objects.exists() and not CaseEvent.objects.exists() and not OutboxEmail.objects.exists()


def test_a_customer_logs_for_their_active_organization_by_default(api, alice, acme, initech, case_input):
    client = api(alice)
    switched = client.post("/api/v1/me/active-organization/", {"organization": initech.pk}, format="json")
    assert switched.status_code == 200, switched.json()

    response = client.post(URL, case_input(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["organization"] == {"id": initech.pk, "name": "Initech", "customer_number": "INITECH-1"}
    assert Case.objects.get().organization == initech


def test_a_customer_logs_for_their_primary_organization_when_they_never_switched(api, alice, acme, case_input):
    response = api(alice).post(URL, case_input(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["organization"]["id"] == acme.pk
    assert response.json()["requester"] == {"id": alice.pk, "name": "Alice Acme", "email": "alice@acme.example"}
    assert response.json()["status"] == "new"
    assert response.json()["channel"] == "api"


def test_a_customer_logs_for_another_of_their_organizations_by_naming_it(api, alice, acme, initech, case_input):
    response = api(alice).post(URL, case_input(organization=initech.pk), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["organization"]["id"] == initech.pk
    assert Case.objects.get().organization == initech


def test_a_customer_cannot_log_for_an_organization_they_do_not_belong_to(api, alice, globex, case_input):
    response = api(alice).post(URL, case_input(organization=globex.pk), format="json")

    assert response.status_code == 400
    assert "organization" in response.json()
    assert nothing_was_written()


def test_a_customer_cannot_log_for_an_organization_that_does_not_exist(api, alice, case_input):
    response = api(alice).post(URL, case_input(organization=987654), format="json")

    assert response.status_code == 400
    assert "organization" in response.json()
    assert nothing_was_written()


def test_enterprise_down_is_refused_at_logging_and_the_message_says_where_it_is_declared(api, alice, case_input):
    response = api(alice).post(URL, case_input(severity="enterprise_down"), format="json")

    assert response.status_code == 400
    [message] = response.json()["severity"]
    assert "Enterprise Down" in message
    assert nothing_was_written()


def test_a_partners_customer_cannot_ask_for_a_consultation_and_is_told_which_partner_to_contact(
    api, pat, partner, case_input
):
    response = api(pat).post(URL, case_input(request_type="consultation"), format="json")

    assert response.status_code == 400
    [message] = response.json()["request_type"]
    assert "Partner Systems" in message
    assert nothing_was_written()


def test_a_partners_customer_may_log_an_incident(api, pat, case_input):
    response = api(pat).post(URL, case_input(request_type="incident"), format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("staff", ["engineer", "operator"])
@pytest.mark.parametrize("severity", ["critical", "high", "medium", "low"])
def test_staff_log_a_phone_call_for_the_customer_at_any_severity_but_enterprise_down(
    api, request, staff, severity, alice, acme, case_input
):
    caller = request.getfixturevalue(staff)

    response = api(caller).post(URL, case_input(severity=severity, channel="phone", requester=alice.pk), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "phone"
    assert body["severity"] == severity
    assert body["requester"]["id"] == alice.pk
    assert body["organization"]["id"] == acme.pk
    case = Case.objects.get()
    assert case.created_by == caller
    event = CaseEvent.objects.get(case=case, kind="created")
    assert (event.actor, event.channel) == (caller, "phone")


@pytest.mark.parametrize("staff", ["engineer", "operator"])
def test_staff_cannot_log_enterprise_down_either(api, request, staff, alice, case_input):
    caller = request.getfixturevalue(staff)

    response = api(caller).post(
        URL, case_input(severity="enterprise_down", channel="phone", requester=alice.pk), format="json"
    )

    assert response.status_code == 400
    assert "Enterprise Down" in response.json()["severity"][0]
    assert nothing_was_written()


@pytest.mark.parametrize("staff", ["engineer", "operator"])
def test_staff_must_name_the_requester(api, request, staff, alice, case_input):
    caller = request.getfixturevalue(staff)

    response = api(caller).post(URL, case_input(channel="phone"), format="json")

    assert response.status_code == 400
    assert "requester" in response.json()
    assert nothing_was_written()


def test_staff_cannot_name_another_staff_member_as_requester(api, engineer, operator, case_input):
    response = api(operator).post(URL, case_input(channel="phone", requester=engineer.pk), format="json")

    assert response.status_code == 400
    assert "requester" in response.json()
    assert nothing_was_written()


def test_a_customer_cannot_pretend_to_be_the_phone_desk(api, alice, case_input):
    response = api(alice).post(URL, case_input(channel="phone"), format="json")

    assert response.status_code == 400
    assert "channel" in response.json()
    assert nothing_was_written()


def test_a_customer_cannot_log_in_someone_elses_name(api, alice, acme, case_input):
    colleague = CustomerFactory(email="bob@acme.example", name="Bob Acme", organization=acme)

    response = api(alice).post(URL, case_input(requester=colleague.pk), format="json")

    assert response.status_code == 400
    assert "requester" in response.json()
    assert nothing_was_written()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 201),
        ("description", ""),
        ("severity", "urgent"),
        ("severity", ""),
        ("request_type", "complaint"),
        ("request_type", None),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(api, alice, case_input, field, value):
    response = api(alice).post(URL, case_input(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert nothing_was_written()


@pytest.mark.parametrize("field", ["title", "description", "severity", "request_type"])
def test_a_missing_required_field_is_named(api, alice, case_input, field):
    body = case_input()
    del body[field]

    response = api(alice).post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_was_written()


def test_an_anonymous_caller_cannot_log_a_case(api, acme, case_input):
    response = api(None).post(URL, case_input(organization=acme.pk), format="json")

    assert response.status_code in (401, 403)
    assert nothing_was_written()
