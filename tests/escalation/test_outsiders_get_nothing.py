"""Oscar of Globex learns nothing about Acme's cases through any escalation door: each
answers 404 exactly as for a case that does not exist, and nothing is written."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseEvent
from escalation.models import EnterpriseDownDeclaration, Escalation, Feedback
from notifications.models import OutboxEmail
from tests.factories import CaseFactory


@pytest.fixture
def escalated_case(escalate, alice, acme_case, manager) -> Case:  # type: ignore[no-untyped-def]
    assert escalate(alice, acme_case).status_code == 201
    return acme_case


def _requests(case_number: str, escalation_id: int, edown_body: dict) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"cases/{case_number}/escalations/", None),
        ("post", f"cases/{case_number}/escalations/", {"reason": "Let me in."}),
        ("post", f"cases/{case_number}/escalations/", {"reason": "Let me in.", "channel": "web"}),
        ("post", f"cases/{case_number}/escalations/{escalation_id}/acknowledge/", {}),
        ("post", f"cases/{case_number}/edown/", edown_body),
        ("post", f"cases/{case_number}/severity/", {"severity": "critical", "reason": "Let me in."}),
        ("post", f"cases/{case_number}/spr/", {"spr_number": "SPR-1", "escalated": True}),
        ("post", "feedback/", {"case": case_number, "message": "Hello?", "escalate": True}),
        ("post", "feedback/", {"case": case_number, "message": "Hello?", "escalate": False}),
    ]


def _written() -> dict[str, object]:
    return {
        "escalations": list(Escalation.objects.values_list("id", "acknowledged_at")),
        "declarations": EnterpriseDownDeclaration.objects.count(),
        "feedback": Feedback.objects.count(),
        "events": CaseEvent.objects.count(),
        "emails": OutboxEmail.objects.count(),
        "cases": list(Case.objects.values_list("severity", "escalation_level", "spr_number", "updated_at")),
    }


def test_every_escalation_door_answers_404_to_an_outsider_and_writes_nothing(
    api, django_capture_on_commit_callbacks, oscar, escalated_case, edown_body, mailoutbox
):
    escalation = Escalation.objects.get(case=escalated_case)
    before = _written()
    mailoutbox.clear()
    client = api(oscar)

    for method, url, body in _requests(escalated_case.number, escalation.pk, edown_body()):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(f"/api/v1/{url}", body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)

    assert _written() == before
    assert mailoutbox == []


def test_an_acme_case_looks_exactly_like_a_missing_one(api, oscar, escalated_case, edown_body):
    escalation = Escalation.objects.get(case=escalated_case)
    client = api(oscar)
    foreign = _requests(escalated_case.number, escalation.pk, edown_body())
    missing = _requests("C-999999", escalation.pk, edown_body())

    for (method, url, body), (_, missing_url, missing_body) in zip(foreign, missing, strict=True):
        seen = getattr(client, method)(f"/api/v1/{url}", body, format="json")
        unseen = getattr(client, method)(f"/api/v1/{missing_url}", missing_body, format="json")
        assert (seen.status_code, seen.json()) == (unseen.status_code, unseen.json()), url


def test_an_outsider_cannot_acknowledge_through_their_own_case(api, post, oscar, globex, escalated_case):
    # Given a case of Globex, which Oscar may see
    own = CaseFactory(organization=globex, requester=oscar, status="open")
    escalation = Escalation.objects.get(case=escalated_case)

    # When he names Acme's escalation under his own case
    response = post(oscar, f"cases/{own.number}/escalations/{escalation.pk}/acknowledge/")

    # Then it is not found, and stays unacknowledged
    assert response.status_code == 404
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None
