"""Whatever a client sends to the escalation doors, the answer is a 4xx in the error
shape of API.md, never a 5xx."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("edown/", {"contact": "call Carl", "total_users": "many"}, 400),
        ("edown/", [1, 2, 3], 400),
        ("edown/", {"total_users": 10**30}, 400),
        ("escalations/", {"reason": "x" * 20_000}, 400),
        ("escalations/", {"reason": "Why not.", "channel": "feedback_form"}, 400),
        ("escalations/", {"reason": "Why not.", "channel": "carrier pigeon"}, 400),
        ("escalations/", ["reason"], 400),
        ("escalations/99999999999999999999/acknowledge/", {}, 404),
        ("severity/", {"severity": ["high"], "reason": {"a": 1}}, 400),
        ("spr/", {"spr_number": "S" * 40, "escalated": True}, 400),
    ],
)
def test_odd_input_answers_a_4xx_in_the_error_shape(post, manager, acme_case, path, body, status, state_of):
    before = state_of(acme_case)

    response = post(manager, f"cases/{acme_case.number}/{path}", body)

    assert response.status_code == status
    assert isinstance(response.json(), dict)
    assert state_of(acme_case) == before


@pytest.mark.parametrize("number", ["C-99999999999999999999", "C-1", "c-000001", "../etc", "C-000000"])
def test_an_odd_case_number_is_simply_not_found(post, alice, number):
    escalation = post(alice, f"cases/{number}/escalations/", {"reason": "Hello?"})
    feedback = post(alice, "feedback/", {"case": number, "message": "Hello?", "escalate": True})

    assert (escalation.status_code, feedback.status_code) == (404, 404)
