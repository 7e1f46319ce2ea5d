"""GET /api/v1/cases/{number}/escalations/: the case's escalations, oldest first, in the
API.md shape."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

SHAPE = {"id", "level", "channel", "reason", "manager", "requested_by", "created_at", "acknowledged_at"}


def test_the_escalations_are_listed_oldest_first_in_the_contract_shape(
    api, escalate, alice, operator, acme_case, manager, director, rows
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        escalate(alice, acme_case, reason="First: no answer.")
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        escalate(operator, acme_case, reason="Second: customer called.", channel="phone")

    response = api(alice).get(f"/api/v1/cases/{acme_case.number}/escalations/")

    assert response.status_code == 200
    first, second = rows(response.json())
    assert SHAPE <= first.keys(), SHAPE - first.keys()
    assert (first["level"], first["channel"], first["reason"]) == ("M1", "web", "First: no answer.")
    assert first["manager"] == {"id": manager.pk, "name": "Max Manager", "email": "max@vendor.example"}
    assert first["requested_by"]["id"] == alice.pk
    assert first["acknowledged_at"] is None
    assert (second["level"], second["channel"], second["reason"]) == ("M2", "phone", "Second: customer called.")
    assert second["manager"]["id"] == director.pk
    assert second["requested_by"]["id"] == operator.pk
    assert first["created_at"] < second["created_at"]


def test_staff_see_the_same_list(api, escalate, alice, engineer, acme_case, rows):
    escalate(alice, acme_case)

    response = api(engineer).get(f"/api/v1/cases/{acme_case.number}/escalations/")

    assert response.status_code == 200
    [only] = rows(response.json())
    assert only["level"] == "M1"


def test_a_case_never_escalated_lists_nothing(api, alice, acme_case, rows):
    response = api(alice).get(f"/api/v1/cases/{acme_case.number}/escalations/")

    assert response.status_code == 200
    assert rows(response.json()) == []
