"""Rule: assigning, changing tier, requesting info, proposing a solution and logging time
are for engineers (and their managers). A customer of the case and the phone-desk
operator are refused with 403, and nothing changes."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent, Message, TimeEntry
from notifications.models import OutboxEmail


def staff_actions(engineer):  # type: ignore[no-untyped-def]
    return [
        ("assign", {"assignee": engineer.pk}),
        ("tier", {"tier": "L2", "note": "Needs a database expert."}),
        ("request-info", {"body": "Send us the logs."}),
        ("propose-solution", {"body": "Upgrade to 7.2.1."}),
        ("time", {"minutes": 30}),
    ]


@pytest.mark.parametrize("index", range(5), ids=["assign", "tier", "request-info", "propose-solution", "time"])
@pytest.mark.parametrize("who", ["alice", "operator"])
def test_customers_and_operators_cannot_work_a_case(api, request, who, index, engineer, acme_case):
    action, body = staff_actions(engineer)[index]
    caller = request.getfixturevalue(who)

    response = api(caller).post(f"/api/v1/cases/{acme_case.number}/{action}/", body, format="json")

    assert response.status_code == 403, response.json()
    assert response.json()["detail"]
    acme_case.refresh_from_db()
    assert (acme_case.status, acme_case.assignee, acme_case.tier, acme_case.spent_minutes) == ("open", None, "L1", 0)
    assert not CaseEvent.objects.exists()
    assert not Message.objects.exists()
    assert not TimeEntry.objects.exists()
    assert not OutboxEmail.objects.exists()


@pytest.mark.parametrize("who", ["engineer", "manager", "director"])
def test_engineers_and_their_managers_work_a_case(api, request, who, engineer, acme_case):
    caller = request.getfixturevalue(who)

    for action, body in staff_actions(engineer):
        response = api(caller).post(f"/api/v1/cases/{acme_case.number}/{action}/", body, format="json")
        assert response.status_code in (200, 201), (action, response.json())


def test_a_customer_does_not_see_time_entries(api, alice, acme_case):
    response = api(alice).get(f"/api/v1/cases/{acme_case.number}/time/")

    assert response.status_code == 403
