"""POST /api/v1/cases/{number}/spr/: at M2 staff link a Software Performance Report and
say whether it was escalated."""

from __future__ import annotations

import pytest

from cases.models import Case


@pytest.fixture
def m2_case(escalate, alice, operator, acme_case, director) -> Case:  # type: ignore[no-untyped-def]
    assert escalate(alice, acme_case).status_code == 201
    assert escalate(operator, acme_case, channel="phone").status_code == 201
    return acme_case


def spr_url(case: Case) -> str:
    return f"cases/{case.number}/spr/"


def test_staff_link_an_spr_at_m2_and_the_case_shows_it(post, api, engineer, alice, m2_case, events_of):
    response = post(engineer, spr_url(m2_case), {"spr_number": "SPR-4711", "escalated": True})

    assert response.status_code == 200, response.json()
    assert (response.json()["spr_number"], response.json()["spr_escalated"]) == ("SPR-4711", True)
    shown = api(engineer).get(f"/api/v1/cases/{m2_case.number}/").json()
    assert (shown["spr_number"], shown["spr_escalated"]) == ("SPR-4711", True)
    [event] = events_of(engineer, m2_case, kind="spr")
    assert event["after"] == {"spr_number": "SPR-4711", "escalated": True}


def test_an_spr_waits_for_m2(post, escalate, engineer, alice, acme_case, state_of):
    at_none = post(engineer, spr_url(acme_case), {"spr_number": "SPR-4711", "escalated": True})
    escalate(alice, acme_case)
    before = state_of(acme_case)
    at_m1 = post(engineer, spr_url(acme_case), {"spr_number": "SPR-4711", "escalated": True})

    assert (at_none.status_code, at_m1.status_code) == (409, 409)
    assert "M2" in at_m1.json()["detail"]
    assert state_of(acme_case) == before


def test_a_customer_cannot_link_an_spr(post, alice, m2_case, state_of):
    before = state_of(m2_case)

    response = post(alice, spr_url(m2_case), {"spr_number": "SPR-4711", "escalated": True})

    assert response.status_code == 403
    assert state_of(m2_case) == before


@pytest.mark.parametrize("body", [{"spr_number": "", "escalated": True}, {"escalated": True}])
def test_an_spr_needs_a_number(post, engineer, m2_case, body, state_of):
    before = state_of(m2_case)

    response = post(engineer, spr_url(m2_case), body)

    assert response.status_code == 400
    assert "spr_number" in response.json()
    assert state_of(m2_case) == before
