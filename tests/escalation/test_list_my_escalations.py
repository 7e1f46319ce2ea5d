"""GET /api/v1/escalations/: a manager's queue of escalations routed to them."""

from __future__ import annotations


def test_a_manager_sees_the_escalations_routed_to_them(api, escalate, alice, make_case, engineer, manager, mia, rows):
    # Given Max received one escalation and Mia another
    mine = make_case(title="Max's escalated case", assignee=engineer)
    escalate(alice, mine)
    manager.available = False
    manager.save()
    theirs = make_case(title="Mia's escalated case", assignee=engineer)
    escalate(alice, theirs)

    # When each reads their queue
    max_queue = rows(api(manager).get("/api/v1/escalations/").json())
    mia_queue = rows(api(mia).get("/api/v1/escalations/").json())

    # Then each sees only their own
    assert [row["case"] for row in max_queue] == [mine.number]
    assert [row["case"] for row in mia_queue] == [theirs.number]
    assert max_queue[0]["manager"]["id"] == manager.pk
    assert max_queue[0]["level"] == "M1"


def test_customers_have_no_escalation_queue(api, escalate, alice, acme_case, manager):
    escalate(alice, acme_case)

    response = api(alice).get("/api/v1/escalations/")

    assert response.status_code == 403
    assert "detail" in response.json()


def test_an_outsider_has_no_escalation_queue_either(api, escalate, alice, oscar, acme_case, manager):
    escalate(alice, acme_case)

    response = api(oscar).get("/api/v1/escalations/")

    assert response.status_code == 403
    assert acme_case.number not in response.content.decode()
