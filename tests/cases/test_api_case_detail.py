"""GET /api/v1/cases/{number}/: the number people quote and the contract shape of a case."""

from __future__ import annotations

import re

from cases.models import Case

# API.md "Cases": the keys every client may rely on.
CONTRACT_KEYS = {
    "number",
    "title",
    "description",
    "organization",
    "requester",
    "assignee",
    "severity",
    "status",
    "request_type",
    "tier",
    "escalation_level",
    "channel",
    "created_at",
    "updated_at",
    "closed_at",
    "close_reason",
    "due",
    "billable_minutes",
}


def test_a_logged_case_gets_a_number_of_c_and_six_digits(api, alice, case_input):
    response = api(alice).post("/api/v1/cases/", case_input(), format="json")

    assert response.status_code == 201
    number = response.json()["number"]
    assert re.fullmatch(r"C-\d{6}", number), number


def test_the_case_answers_at_its_number_in_the_contract_shape(api, alice, acme, engineer, case_input):
    client = api(alice)
    number = client.post("/api/v1/cases/", case_input(), format="json").json()["number"]
    api(engineer).post(f"/api/v1/cases/{number}/assign/", {"assignee": engineer.pk}, format="json")

    response = client.get(f"/api/v1/cases/{number}/")

    assert response.status_code == 200
    body = response.json()
    assert CONTRACT_KEYS <= body.keys(), CONTRACT_KEYS - body.keys()
    assert body["number"] == number
    assert body["title"] == "Backups fail every night"
    assert body["description"] == "Since the upgrade to 7.2 the nightly backup stops at 40%."
    assert body["organization"] == {"id": acme.pk, "name": "Acme", "customer_number": "ACME-1"}
    assert body["requester"] == {"id": alice.pk, "name": "Alice Acme", "email": "alice@acme.example"}
    assert body["assignee"] == {"id": engineer.pk, "name": "Erin Engineer", "email": "erin@vendor.example"}
    assert (body["severity"], body["request_type"], body["status"]) == ("high", "incident", "new")
    assert (body["tier"], body["escalation_level"], body["channel"]) == ("L1", "none", "api")
    assert body["closed_at"] is None
    assert body["close_reason"] == ""
    assert isinstance(body["due"], dict)
    assert body["billable_minutes"] == 0
    assert Case.objects.get().number == number


def test_an_unassigned_case_shows_a_null_assignee(api, alice, acme_case):
    body = api(alice).get(f"/api/v1/cases/{acme_case.number}/").json()

    assert body["assignee"] is None
