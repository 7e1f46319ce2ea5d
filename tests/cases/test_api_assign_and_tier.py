"""POST /cases/{number}/assign/ and /tier/: who a case can go to, and the hand-over note."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent


def post(api, user, case, action, body):  # type: ignore[no-untyped-def]
    return api(user).post(f"/api/v1/cases/{case.number}/{action}/", body, format="json")


def test_an_engineer_assigns_a_case_to_a_colleague(api, engineer, manager, acme_case):
    response = post(api, manager, acme_case, "assign", {"assignee": engineer.pk})

    assert response.status_code == 200, response.json()
    assert response.json()["assignee"] == {"id": engineer.pk, "name": "Erin Engineer", "email": "erin@vendor.example"}


@pytest.mark.parametrize("who", ["alice", "operator"])
def test_a_case_cannot_be_assigned_to_someone_who_does_not_work_cases(api, request, engineer, acme_case, who):
    response = post(api, engineer, acme_case, "assign", {"assignee": request.getfixturevalue(who).pk})

    assert response.status_code == 400
    assert "assignee" in response.json()
    acme_case.refresh_from_db()
    assert acme_case.assignee is None
    assert not CaseEvent.objects.exists()


def test_a_case_cannot_be_assigned_to_nobody_in_particular(api, engineer, acme_case):
    response = post(api, engineer, acme_case, "assign", {"assignee": 987654})

    assert response.status_code == 400
    assert "assignee" in response.json()


def test_a_case_moves_to_another_tier_with_a_hand_over_note(api, engineer, acme_case):
    response = post(api, engineer, acme_case, "tier", {"tier": "L2", "note": "Reproduced; needs a DB expert."})

    assert response.status_code == 200, response.json()
    assert response.json()["tier"] == "L2"


@pytest.mark.parametrize("body", [{"tier": "L2"}, {"tier": "L2", "note": ""}, {"tier": "L2", "note": "   "}])
def test_a_tier_change_needs_a_hand_over_note(api, engineer, acme_case, body):
    response = post(api, engineer, acme_case, "tier", body)

    assert response.status_code == 400
    assert "note" in response.json()
    acme_case.refresh_from_db()
    assert acme_case.tier == "L1"


@pytest.mark.parametrize("tier", ["L5", "M1", "", None])
def test_a_tier_change_to_an_unknown_tier_is_refused(api, engineer, acme_case, tier):
    response = post(api, engineer, acme_case, "tier", {"tier": tier, "note": "Escalating."})

    assert response.status_code == 400
    assert "tier" in response.json()
    acme_case.refresh_from_db()
    assert acme_case.tier == "L1"


def test_a_tier_change_to_the_same_tier_is_refused(api, engineer, acme_case):
    response = post(api, engineer, acme_case, "tier", {"tier": "L1", "note": "Staying here."})

    assert response.status_code == 400
    assert "tier" in response.json()
    assert not CaseEvent.objects.exists()


def test_the_tier_change_is_in_the_staff_trail_but_not_the_customers(api, engineer, alice, acme_case):
    post(api, engineer, acme_case, "tier", {"tier": "L3", "note": "Product bug suspected."})

    staff_view = api(engineer).get(f"/api/v1/cases/{acme_case.number}/events/").json()["results"]
    customer_view = api(alice).get(f"/api/v1/cases/{acme_case.number}/events/").json()["results"]

    [tier_event] = [event for event in staff_view if event["kind"] == "tier"]
    assert (tier_event["before"], tier_event["after"], tier_event["note"]) == ("L1", "L3", "Product bug suspected.")
    assert [event for event in customer_view if event["kind"] == "tier"] == []
    assert "Product bug suspected." not in str(customer_view)
