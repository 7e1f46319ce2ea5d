"""GET /cases/{number}/events/: every change leaves exactly one event with who, how, before and after."""

from __future__ import annotations

import pytest


@pytest.fixture
def worked_case(api, alice, engineer, case_input):  # type: ignore[no-untyped-def]
    """A case taken through its whole life over the API; returns its number."""
    customer, staff = api(alice), api(engineer)
    number = customer.post("/api/v1/cases/", case_input(), format="json").json()["number"]

    def do(client, action, body=None):  # type: ignore[no-untyped-def]
        response = client.post(f"/api/v1/cases/{number}/{action}/", body or {}, format="json")
        assert response.status_code in (200, 201), (action, response.json())

    do(staff, "assign", {"assignee": engineer.pk})
    do(staff, "tier", {"tier": "L2", "note": "Needs storage knowledge."})
    do(staff, "request-info", {"body": "Which storage backend?"})
    do(customer, "messages", {"body": "NFS."})
    do(staff, "messages", {"body": "NFS 3 is not supported, 4.1 is.", "internal": True})
    do(staff, "propose-solution", {"body": "Mount with NFS 4.1."})
    do(customer, "confirm")
    do(customer, "reopen", {"reason": "Fails again on the weekend."})
    do(staff, "time", {"minutes": 45, "note": "Reproduced on NFS 4.1."})
    do(customer, "withdraw", {"reason": "We moved to S3."})
    return number


def trail(api, user, number):  # type: ignore[no-untyped-def]
    response = api(user).get(f"/api/v1/cases/{number}/events/", {"page_size": 100})
    assert response.status_code == 200
    return response.json()["results"]


def summary(events, alice, engineer):  # type: ignore[no-untyped-def]
    names = {alice.pk: "alice", engineer.pk: "erin"}
    return [(event["kind"], names[event["actor"]["id"]], event["before"], event["after"]) for event in events]


def test_staff_see_one_event_per_change_in_order(api, worked_case, alice, engineer):
    events = trail(api, engineer, worked_case)

    assert {event["channel"] for event in events} == {"api"}
    assert all(event["created_at"] for event in events)
    kinds = [(kind, actor, before, after) for kind, actor, before, after in summary(events, alice, engineer)]
    created, *rest = kinds
    assert created[:2] == ("created", "alice")
    assert created[3]["status"] == "new"
    messages = [event["after"]["message"] for event in events if event["kind"] in ("message", "note")]
    assert len(messages) == len(set(messages)) == 4
    assert [(kind, actor, before, after) for kind, actor, before, after in rest if kind not in ("message", "note")] == [
        ("assigned", "erin", None, "Erin Engineer"),
        ("tier", "erin", "L1", "L2"),
        ("status", "erin", "new", "waiting_on_customer"),
        ("status", "alice", "waiting_on_customer", "open"),
        ("status", "erin", "open", "solution_proposed"),
        ("status", "alice", "solution_proposed", "closed"),
        ("status", "alice", "closed", "open"),
        ("time", "erin", None, {"minutes": 45, "billable": False}),
        ("status", "alice", "open", "closed"),
    ]
    assert [(kind, actor) for kind, actor, _before, _after in rest if kind in ("message", "note")] == [
        ("message", "erin"),
        ("message", "alice"),
        ("note", "erin"),
        ("message", "erin"),
    ]


def test_the_reason_for_reopening_and_withdrawing_is_kept_on_the_event(api, worked_case, engineer):
    events = trail(api, engineer, worked_case)

    notes = [event["note"] for event in events if event["kind"] == "status" and event["note"]]
    assert notes == ["Fails again on the weekend.", "We moved to S3."]


def test_the_customer_sees_the_public_part_only(api, worked_case, alice, engineer):
    events = trail(api, alice, worked_case)

    kinds = [event["kind"] for event in events]
    assert "note" not in kinds
    assert "tier" not in kinds
    assert "time" not in kinds
    assert kinds.count("status") == 6
    assert kinds.count("message") == 3
    assert "NFS 3 is not supported" not in str(events)
    assert "Needs storage knowledge." not in str(events)


def test_a_customer_of_another_organization_sees_no_trail(api, worked_case, oscar):
    response = api(oscar).get(f"/api/v1/cases/{worked_case}/events/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("action", "status"), [("request-info", "waiting_on_customer"), ("propose-solution", "solution_proposed")]
)
def test_answering_a_new_case_with_a_status_action_records_one_status_change(api, engineer, make_case, action, status):
    case = make_case(status="new")

    response = api(engineer).post(f"/api/v1/cases/{case.number}/{action}/", {"body": "Over to you."}, format="json")

    assert response.status_code == 200, response.json()
    events = trail(api, engineer, case.number)
    assert [(e["kind"], e["before"], e["after"]) for e in events if e["kind"] == "status"] == [
        ("status", "new", status)
    ]
    assert [e["kind"] for e in events] == ["message", "status"]
