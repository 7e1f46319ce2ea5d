"""`PATCH /api/v1/users/{id}/ {"available": …}`: a manager who is away is skipped by routing."""

from __future__ import annotations

import pytest


def test_an_admin_marks_a_manager_away_and_back(api, admin_user, manager):
    # Given an available manager
    # When an admin marks them away
    response = api(admin_user).patch(f"/api/v1/users/{manager.pk}/", {"available": False}, format="json")

    # Then the answer shows them away, and so does the database
    assert response.status_code == 200, response.content
    assert response.json()["id"] == manager.pk
    assert response.json()["available"] is False
    manager.refresh_from_db()
    assert manager.available is False

    # And marking them back works the same way
    response = api(admin_user).patch(f"/api/v1/users/{manager.pk}/", {"available": True}, format="json")
    assert response.json()["available"] is True
    manager.refresh_from_db()
    assert manager.available is True


def test_a_manager_marks_themselves_away(api, manager):
    response = api(manager).patch(f"/api/v1/users/{manager.pk}/", {"available": False}, format="json")

    assert response.status_code == 200, response.content
    manager.refresh_from_db()
    assert manager.available is False


@pytest.mark.parametrize("person", ["alice", "engineer", "operator"])
def test_nobody_else_may_mark_a_manager_away(api, request, manager, person):
    # Given someone who is neither an admin nor the manager
    caller = request.getfixturevalue(person)

    # When they try to mark the manager away
    response = api(caller).patch(f"/api/v1/users/{manager.pk}/", {"available": False}, format="json")

    # Then they are refused and the manager stays available
    assert response.status_code == 403
    manager.refresh_from_db()
    assert manager.available is True


def test_anonymous_callers_cannot_change_availability(api, manager):
    response = api(None).patch(f"/api/v1/users/{manager.pk}/", {"available": False}, format="json")

    assert response.status_code in (401, 403)
    manager.refresh_from_db()
    assert manager.available is True


def test_availability_must_be_a_boolean(api, admin_user, manager):
    response = api(admin_user).patch(f"/api/v1/users/{manager.pk}/", {"available": "sometimes"}, format="json")

    assert response.status_code == 400
    assert "available" in response.json()
    manager.refresh_from_db()
    assert manager.available is True


def test_an_unknown_user_is_not_found(api, admin_user):
    response = api(admin_user).patch("/api/v1/users/987654/", {"available": False}, format="json")

    assert response.status_code == 404
    assert "detail" in response.json()
