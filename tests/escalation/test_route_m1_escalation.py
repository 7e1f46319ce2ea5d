"""POST /api/v1/cases/{number}/escalations/ at level none: M1 lands on the assigned
engineer's direct manager, else on the available manager with the fewest open
escalations (ties by lowest id), else nowhere (409)."""

from __future__ import annotations

from cases.models import Case
from escalation.models import Escalation


def test_m1_goes_to_the_engineers_direct_manager(escalate, alice, acme_case, manager, mia, mo):
    response = escalate(alice, acme_case)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "M1"
    assert body["manager"] == {"id": manager.pk, "name": "Max Manager", "email": "max@vendor.example"}
    assert Case.objects.get(pk=acme_case.pk).escalation_level == "M1"


def test_a_direct_manager_marked_away_is_skipped_for_the_least_loaded_manager(
    escalate, api, admin_user, alice, acme_case, manager, mia, mo, routed_to
):
    # Given Max is marked away, Mia has an open escalation and Mo has none
    marked = api(admin_user).patch(f"/api/v1/users/{manager.pk}/", {"available": False}, format="json")
    assert marked.status_code == 200, marked.json()
    routed_to(mia)

    # When Alice escalates Erin's case
    response = escalate(alice, acme_case)

    # Then it lands on Mo
    assert response.status_code == 201, response.json()
    assert response.json()["manager"]["id"] == mo.pk


def test_equal_loads_go_to_the_manager_with_the_lowest_id(escalate, alice, acme_case, manager, mia, mo, routed_to):
    manager.available = False
    manager.save()
    routed_to(mia)
    routed_to(mo)

    response = escalate(alice, acme_case)

    assert response.status_code == 201
    assert response.json()["manager"]["id"] == mia.pk


def test_escalations_on_closed_cases_do_not_count_as_load(escalate, alice, acme_case, manager, mia, mo, routed_to):
    # Given Mia's only escalations are on closed cases, and Mo has one open
    manager.available = False
    manager.save()
    routed_to(mia, status="closed")
    routed_to(mia, status="closed")
    routed_to(mo)

    response = escalate(alice, acme_case)

    assert response.status_code == 201
    assert response.json()["manager"]["id"] == mia.pk


def test_an_unassigned_case_goes_to_the_least_loaded_available_manager(
    escalate, alice, make_case, manager, mia, mo, routed_to
):
    case = make_case(assignee=None)
    routed_to(manager)
    routed_to(mia)
    mo.available = False
    mo.save()
    routed_to(mia, status="closed")

    response = escalate(alice, case)

    assert response.status_code == 201, response.json()
    assert response.json()["manager"]["id"] == manager.pk


def test_an_engineer_without_a_manager_sends_it_to_the_least_loaded_manager(
    escalate, alice, make_case, lone_engineer, manager, mia, routed_to
):
    case = make_case(assignee=lone_engineer)
    routed_to(manager)

    response = escalate(alice, case)

    assert response.status_code == 201, response.json()
    assert response.json()["manager"]["id"] == mia.pk


def test_a_director_is_not_an_m1_fallback(escalate, alice, acme_case, manager, director, state_of, mailoutbox):
    # Given the only manager is away (a director is available, but M1 is for managers)
    manager.available = False
    manager.save()
    before = state_of(acme_case)

    response = escalate(alice, acme_case)

    assert response.status_code == 409
    assert "detail" in response.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_no_manager_available_at_all_is_a_conflict_and_nothing_is_recorded(
    escalate, alice, acme_case, manager, mia, mo, state_of, mailoutbox
):
    for person in (manager, mia, mo):
        person.available = False
        person.save()
    before = state_of(acme_case)

    response = escalate(alice, acme_case)

    assert response.status_code == 409
    assert state_of(acme_case) == before
    assert not Escalation.objects.exists()
    assert mailoutbox == []


def test_the_escalation_is_on_the_timeline(escalate, alice, acme_case, events_of):
    escalate(alice, acme_case, reason="Two days without an answer.")

    [event] = events_of(alice, acme_case, kind="escalation")
    assert (event["before"], event["after"]) == ("none", "M1")
    assert event["channel"] == "web"
    assert event["note"] == "Two days without an answer."
