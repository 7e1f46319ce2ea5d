"""POST /api/v1/cases/: a customer cannot set what only the workflow sets (mass assignment)."""

from __future__ import annotations

from cases.models import Case

URL = "/api/v1/cases/"


def test_workflow_fields_sent_by_a_customer_are_ignored(api, alice, acme, engineer, case_input):
    response = api(alice).post(
        URL,
        case_input(
            status="closed",
            assignee=engineer.pk,
            escalation_level="M2",
            tier="L4",
            created_at="2001-01-01T00:00:00Z",
            closed_at="2001-01-02T00:00:00Z",
            close_reason="confirmed",
            billable_minutes=600,
            number="C-000001",
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "new"
    assert body["assignee"] is None
    assert body["escalation_level"] == "none"
    assert body["tier"] == "L1"
    assert body["closed_at"] is None
    assert body["close_reason"] == ""
    assert body["billable_minutes"] == 0
    assert not body["created_at"].startswith("2001")
    case = Case.objects.get()
    assert body["number"] == case.number
    assert (case.status, case.assignee, case.escalation_level, case.tier) == ("new", None, "none", "L1")
    assert case.created_at.year != 2001
    assert case.organization == acme


def test_an_organization_of_someone_else_is_refused_not_silently_replaced(api, alice, globex, case_input):
    response = api(alice).post(URL, case_input(organization=globex.pk), format="json")

    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Case.objects.exists()


def test_an_organization_given_as_an_object_is_refused(api, alice, acme, globex, case_input):
    response = api(alice).post(URL, case_input(organization={"id": globex.pk, "name": "Globex"}), format="json")

    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Case.objects.exists()
