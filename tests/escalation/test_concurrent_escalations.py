"""Requests arriving at once on PostgreSQL, with real threads (each on its own database
connection): two escalations still step the level once each, never skip or repeat; a
customer's one web escalation is granted once; an escalation and a severity change both
land; and none of it ends in an error or a deadlock.

Every scenario runs ROUNDS times on a fresh case, so that a race has many chances to show.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, Channel
from cases.services import change_severity
from escalation.models import EnterpriseDownDeclaration, Escalation
from escalation.services import acknowledge_escalation, escalate_case
from tests.factories import CaseFactory

ROUNDS = 20

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run ``calls`` in threads released together; each gives ("ok", result) or
    ("error", exception)."""
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except BaseException as exc:  # noqa: BLE001 - every failure is an outcome to report
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung (lock wait?)"
    return outcomes


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def fresh_case(acme: Any, alice: Any, engineer: Any, round_number: int) -> Case:
    return CaseFactory(
        organization=acme, requester=alice, assignee=engineer, status="open", title=f"Race round {round_number}"
    )


def test_two_phone_escalations_at_once_step_none_to_m1_then_m2(acme, alice, engineer, manager, director, operator):
    errors: list[BaseException] = []
    levels: Counter[tuple[str, ...]] = Counter()

    for round_number in range(ROUNDS):
        # Given a fresh case at level none
        case = fresh_case(acme, alice, engineer, round_number)

        def phone_escalation(case_id: int = case.pk) -> Escalation:
            return escalate_case(
                case=Case.objects.get(pk=case_id), actor=operator, reason="Customer on the line.", channel="phone"
            )

        # When two phone escalations arrive at once
        outcomes = at_once(phone_escalation, phone_escalation)

        # Then the case holds one M1 (Max) and one M2 (Dora), and is at M2
        errors += [result for kind, result in outcomes if kind != "ok"]
        rows = list(Escalation.objects.filter(case=case).order_by("id").values_list("level", "manager_id"))
        levels[tuple(level for level, _manager in rows)] += 1
        assert rows == [("M1", manager.pk), ("M2", director.pk)], (round_number, rows, outcomes)
        assert Case.objects.get(pk=case.pk).escalation_level == "M2"
        assert sorted(e.level for kind, e in outcomes if kind == "ok") == ["M1", "M2"]

    assert errors == []
    assert levels == Counter({("M1", "M2"): ROUNDS})


def test_two_web_escalations_at_once_grant_the_customer_exactly_one(acme, alice, engineer, manager, director):
    statuses: Counter[tuple[int, ...]] = Counter()
    errors: list[BaseException] = []

    for round_number in range(ROUNDS):
        case = fresh_case(acme, alice, engineer, round_number)
        url = f"/api/v1/cases/{case.number}/escalations/"

        def web_escalation(url: str = url) -> Any:
            return client_for(alice).post(url, {"reason": "Nobody answers."}, format="json")

        outcomes = at_once(web_escalation, web_escalation)

        errors += [result for kind, result in outcomes if kind != "ok"]
        responses = [result for kind, result in outcomes if kind == "ok"]
        statuses[tuple(sorted(response.status_code for response in responses))] += 1
        granted = [response.json() for response in responses if response.status_code == 201]
        assert [body["level"] for body in granted] == ["M1"], (round_number, [r.content for r in responses])
        assert list(Escalation.objects.filter(case=case).values_list("level", flat=True)) == ["M1"]
        assert Case.objects.get(pk=case.pk).escalation_level == "M1"

    assert errors == []
    assert statuses == Counter({(201, 409): ROUNDS})


def test_an_escalation_and_a_severity_change_at_once_both_land(acme, alice, engineer, manager, director):
    errors: list[BaseException] = []

    for round_number in range(ROUNDS):
        case = fresh_case(acme, alice, engineer, round_number)

        def escalation(case_id: int = case.pk) -> Escalation:
            return escalate_case(case=Case.objects.get(pk=case_id), actor=alice, reason="No answer.")

        def severity_change(case_id: int = case.pk) -> Case:
            return change_severity(
                case=Case.objects.get(pk=case_id),
                actor=manager,
                severity="critical",
                reason="Production line stopped.",
                channel=Channel.PHONE,
            )

        outcomes = at_once(escalation, severity_change)

        errors += [result for kind, result in outcomes if kind != "ok"]
        after = Case.objects.get(pk=case.pk)
        assert (after.escalation_level, after.severity, after.severity_rank) == ("M1", "critical", 1), round_number
        assert Escalation.objects.filter(case=case).count() == 1
        assert sorted(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
            "escalation",
            "severity",
        ]

    assert errors == []


def test_a_web_escalation_racing_the_feedback_form_never_skips_or_repeats_a_level(
    acme, alice, engineer, manager, director
):
    orders: Counter[tuple[str, ...]] = Counter()
    errors: list[BaseException] = []

    for round_number in range(ROUNDS):
        case = fresh_case(acme, alice, engineer, round_number)

        def web_escalation(number: str = case.number) -> Any:
            return client_for(alice).post(f"/api/v1/cases/{number}/escalations/", {"reason": "Web."}, format="json")

        def feedback(number: str = case.number) -> Any:
            body = {"case": number, "message": "Form.", "escalate": True}
            return client_for(alice).post("/api/v1/feedback/", body, format="json")

        outcomes = at_once(web_escalation, feedback)

        if any(kind != "ok" for kind, _result in outcomes):
            errors += [result for kind, result in outcomes if kind != "ok"]
            continue
        [web, form] = [result for _kind, result in outcomes]
        rows = tuple(Escalation.objects.filter(case=case).order_by("id").values_list("channel", flat=True))
        levels = list(Escalation.objects.filter(case=case).order_by("id").values_list("level", flat=True))
        orders[rows] += 1
        # Either the web tracker came first (M1) and the form stepped to M2, or the form
        # came first (M1) and the web tracker's second escalation was refused.
        assert (web.status_code, form.status_code, rows) in {
            (201, 201, ("web", "feedback_form")),
            (409, 201, ("feedback_form",)),
        }, round_number
        assert levels == ["M1", "M2"][: len(levels)]
        assert Case.objects.get(pk=case.pk).escalation_level == levels[-1]

    assert errors == []
    assert sum(orders.values()) == ROUNDS


def test_two_enterprise_down_declarations_at_once_make_one(acme, alice, engineer, manager, operator, edown_body):
    statuses: Counter[tuple[int, ...]] = Counter()
    errors: list[BaseException] = []

    for round_number in range(ROUNDS):
        case = fresh_case(acme, alice, engineer, round_number)
        url = f"/api/v1/cases/{case.number}/edown/"

        def declaration(user: Any, url: str = url) -> Any:
            return client_for(user).post(url, edown_body(), format="json")

        outcomes = at_once(lambda: declaration(alice), lambda: declaration(operator))

        errors += [result for kind, result in outcomes if kind != "ok"]
        statuses[tuple(sorted(result.status_code for kind, result in outcomes if kind == "ok"))] += 1
        assert EnterpriseDownDeclaration.objects.filter(case=case).count() == 1
        assert CaseEvent.objects.filter(case=case, kind="edown").count() == 1
        assert Case.objects.get(pk=case.pk).severity == "enterprise_down"

    assert errors == []
    assert statuses == Counter({(201, 409): ROUNDS})


def test_two_acknowledgements_at_once_acknowledge_once(acme, alice, engineer, manager):
    results: Counter[tuple[str, ...]] = Counter()

    for round_number in range(ROUNDS):
        case = fresh_case(acme, alice, engineer, round_number)
        routed = escalate_case(case=case, actor=alice, reason="No answer.")

        def acknowledgement(escalation_id: int = routed.pk) -> Escalation:
            return acknowledge_escalation(escalation=Escalation.objects.get(pk=escalation_id), actor=manager)

        outcomes = at_once(acknowledgement, acknowledgement)

        results[tuple(sorted(type(result).__name__ for _kind, result in outcomes))] += 1
        assert CaseEvent.objects.filter(case=case, kind="escalation_ack").count() == 1
        assert Escalation.objects.get(pk=routed.pk).acknowledged_at is not None

    assert results == Counter({("Conflict", "Escalation"): ROUNDS})
