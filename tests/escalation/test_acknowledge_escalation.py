"""POST /api/v1/cases/{number}/escalations/{id}/acknowledge/: only the manager the
escalation was routed to acknowledges it, once."""

from __future__ import annotations

import pytest

from escalation.models import Escalation


@pytest.fixture
def m1(escalate, alice, acme_case, manager) -> Escalation:  # type: ignore[no-untyped-def]
    """Alice's escalation of Erin's case, routed to Max."""
    response = escalate(alice, acme_case)
    assert response.status_code == 201, response.json()
    return Escalation.objects.get(pk=response.json()["id"])


def ack_url(escalation: Escalation) -> str:
    return f"cases/{escalation.case.number}/escalations/{escalation.pk}/acknowledge/"


def test_the_routed_manager_acknowledges_it(post, manager, m1, events_of):
    response = post(manager, ack_url(m1))

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == m1.pk
    assert response.json()["acknowledged_at"] is not None
    m1.refresh_from_db()
    assert m1.acknowledged_at is not None
    assert m1.acknowledged_by == manager
    [event] = events_of(manager, m1.case, kind="escalation_ack")
    assert event["actor"]["id"] == manager.pk


def test_the_acknowledgement_shows_in_the_case_escalations(api, post, alice, manager, m1, rows):
    post(manager, ack_url(m1))

    [listed] = rows(api(alice).get(f"/api/v1/cases/{m1.case.number}/escalations/").json())
    assert listed["acknowledged_at"] is not None


@pytest.mark.parametrize("someone_else", ["mia", "engineer", "alice", "operator", "director"])
def test_nobody_else_acknowledges_it(request, post, m1, someone_else, state_of):
    person = request.getfixturevalue(someone_else)
    before = state_of(m1.case)

    response = post(person, ack_url(m1))

    assert response.status_code == 403
    assert "detail" in response.json()
    assert state_of(m1.case) == before
    m1.refresh_from_db()
    assert m1.acknowledged_at is None


def test_acknowledging_twice_is_a_conflict(post, manager, m1, state_of):
    post(manager, ack_url(m1))
    before = state_of(m1.case)

    response = post(manager, ack_url(m1))

    assert response.status_code == 409
    assert state_of(m1.case) == before


def test_an_escalation_of_another_case_is_not_found_here(post, manager, m1, make_case, state_of):
    other = make_case(title="Unrelated case")
    before = state_of(m1.case)

    response = post(manager, f"cases/{other.number}/escalations/{m1.pk}/acknowledge/")

    assert response.status_code == 404
    assert state_of(m1.case) == before
    m1.refresh_from_db()
    assert m1.acknowledged_at is None


def test_an_escalation_that_does_not_exist_is_not_found(post, manager, m1):
    response = post(manager, f"cases/{m1.case.number}/escalations/987654/acknowledge/")

    assert response.status_code == 404
