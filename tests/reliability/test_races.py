"""Races on PostgreSQL, with real threads (each on its own database connection, closed at
the thread's end), released together by a barrier: ROUNDS rounds of THREADS requests on
one case (or one batch of cases) for each of

- escalating one case: exactly one M1, one escalation row and one event per success;
- changing severity: no lost update (the trail is one unbroken chain, one row per
  applied change, and the case ends on the last one applied);
- closing while replying: a consistent end state, no message lost, closed at most once;
- two auto-close sweeps at once: every case closed once, with one closing e-mail.

An exception other than the refusals the rules promise (409 Conflict, "already has this
severity") counts as unhandled, a deadlock (psycopg2 DeadlockDetected) included.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from cases import services
from cases.models import Case, CaseEvent, Message
from cases.services.auto_close import close_idle_cases
from casetracker.errors import Conflict
from escalation.models import Escalation
from escalation.services import escalate_case
from notifications.models import OutboxEmail
from tests.factories import CaseFactory

ROUNDS = 10
THREADS = 8

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Tally:
    """What a scenario counted over its rounds."""

    def __init__(self) -> None:
        self.doubles = 0
        self.lost = 0
        self.unhandled: list[BaseException] = []

    @property
    def deadlocks(self) -> int:
        return sum("deadlock" in f"{type(exc).__name__} {exc}".lower() for exc in self.unhandled)

    def report(self, figure: Callable[[str, str], None], scenario: str) -> None:
        figure(
            "Races (PostgreSQL)",
            f"{scenario}: {ROUNDS} rounds x {THREADS} threads, {self.doubles} doubles, {self.lost} lost updates, "
            f"{self.deadlocks} deadlocks unhandled ({len(self.unhandled)} unhandled errors)",
        )
        assert self.unhandled == [], self.unhandled[:3]
        assert (self.doubles, self.lost) == (0, 0)


def at_once(calls: list[Callable[[], Any]], expected: tuple[type[BaseException], ...] = ()) -> list[tuple[str, Any]]:
    """Run ``calls`` in threads released together. Each outcome is ("ok", result),
    ("refused", exc) for an expected refusal, or ("error", exc)."""
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except expected as exc:
            outcomes[index] = ("refused", exc)
        except BaseException as exc:  # noqa: BLE001 - an outcome to count
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


def errors_of(outcomes: list[tuple[str, Any]]) -> list[BaseException]:
    return [result for kind, result in outcomes if kind in ("error", "missing")]


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def status_chain_is_unbroken(case: Case, start: str) -> bool:
    """Each status event starts where the previous one ended, and the last one is the
    case's status: no change was lost or applied on a stale read."""
    current = start
    for before, after in (
        CaseEvent.objects.filter(case=case, kind="status").order_by("id").values_list("before", "after")
    ):
        if before != current:
            return False
        current = after
    return current == Case.objects.get(pk=case.pk).status


def test_escalating_one_case_from_every_side_at_once(acme, alice, engineer, manager, director, operator, figure):
    tally = Tally()
    for round_number in range(ROUNDS):
        case = CaseFactory(organization=acme, requester=alice, assignee=engineer, status="open")
        url = f"/api/v1/cases/{case.number}/escalations/"

        def web(url: str = url) -> Any:
            return client_for(alice).post(url, {"reason": "Nobody answers."}, format="json").status_code

        def phone(case_id: int = case.pk) -> Any:
            return escalate_case(case=Case.objects.get(pk=case_id), actor=operator, reason="On the line.").level

        outcomes = at_once([web if n % 2 == 0 else phone for n in range(THREADS)])

        tally.unhandled += errors_of(outcomes)
        results = [result for kind, result in outcomes if kind == "ok"]
        assert set(results) <= {201, 409, "M1", "M2"}, (round_number, results)
        granted = sum(result in (201, "M1", "M2") for result in results)
        levels = list(Escalation.objects.filter(case=case).order_by("id").values_list("level", flat=True))
        events = CaseEvent.objects.filter(case=case, kind="escalation").count()
        audited = AuditEntry.objects.filter(action="case.escalated", object_id=case.number).count()
        tally.doubles += max(0, levels.count("M1") - 1)
        tally.lost += abs(granted - len(levels)) + abs(events - len(levels)) + abs(audited - len(levels))
        assert levels[:1] == ["M1"] and set(levels[1:]) <= {"M2"}, (round_number, levels)
        assert Case.objects.get(pk=case.pk).escalation_level == levels[-1]
        # The customer's web tracker allows one escalation: it is granted only as the M1.
        assert results.count(201) <= 1
    tally.report(figure, "escalate one case")


def test_changing_severity_at_once_loses_no_update(acme, alice, engineer, manager, figure):
    tally = Tally()
    wanted = ["critical", "high", "low", "medium"]
    for round_number in range(ROUNDS):
        case = CaseFactory(organization=acme, requester=alice, assignee=engineer, status="open", severity="medium")
        actors = [alice, engineer, manager]

        def change(n: int, case_id: int = case.pk) -> str:
            updated = services.change_severity(
                case=Case.objects.get(pk=case_id),
                actor=actors[n % len(actors)],
                severity=wanted[n % len(wanted)],
                reason=f"Request {n}",
            )
            return updated.severity

        outcomes = at_once([lambda n=n: change(n) for n in range(THREADS)], expected=(ValidationError,))

        tally.unhandled += errors_of(outcomes)
        applied = [result for kind, result in outcomes if kind == "ok"]
        refused = [result for kind, result in outcomes if kind == "refused"]
        assert all("already has this severity" in str(exc) for exc in refused), refused
        trail = list(CaseEvent.objects.filter(case=case, kind="severity").order_by("id").values_list("before", "after"))
        after = Case.objects.get(pk=case.pk)
        chain = ["medium"] + [to for _from, to in trail]
        broken = sum(before != chain[i] for i, (before, _to) in enumerate(trail))
        tally.lost += broken + abs(len(trail) - len(applied)) + (after.severity != chain[-1])
        tally.lost += abs(
            AuditEntry.objects.filter(action="case.severity_changed", object_id=case.number).count() - len(applied)
        )
        assert (
            after.severity in wanted
            and after.severity_rank == {"critical": 1, "high": 2, "medium": 3, "low": 4}[after.severity]
        ), round_number
        assert sorted(applied) == sorted(to for _from, to in trail), round_number
    tally.report(figure, "change severity")


def test_closing_while_replying_ends_consistent_and_loses_no_message(acme, alice, engineer, figure):
    tally = Tally()
    end_states: Counter[str] = Counter()
    for round_number in range(ROUNDS):
        # A solution was proposed days ago: the customer may confirm it, the sweep may
        # close the case for silence, and both sides are writing at the same moment.
        past = timezone.now() - timedelta(days=10)
        case = CaseFactory(
            organization=acme,
            requester=alice,
            assignee=engineer,
            status="solution_proposed",
            status_changed_at=past,
            auto_close_at=timezone.now() - timedelta(minutes=1),
        )

        def confirm(case_id: int = case.pk) -> str:
            return services.confirm_solution(case=Case.objects.get(pk=case_id), actor=alice).status

        def sweep() -> int:
            return len(close_idle_cases().closed)

        def reply(n: int, case_id: int = case.pk) -> int:
            author = alice if n % 2 == 0 else engineer
            return services.add_message(case=Case.objects.get(pk=case_id), author=author, body=f"Reply {n}").pk

        calls: list[Callable[[], Any]] = [confirm, sweep] + [lambda n=n: reply(n) for n in range(THREADS - 2)]
        outcomes = at_once(calls, expected=(Conflict,))

        tally.unhandled += errors_of(outcomes)
        after = Case.objects.get(pk=case.pk)
        end_states[after.status] += 1
        written = {result for kind, result in outcomes[2:] if kind == "ok"}
        stored = set(Message.objects.filter(case=case).values_list("pk", flat=True))
        tally.lost += len(written ^ stored) + abs(after.message_count - len(stored))
        closings = CaseEvent.objects.filter(case=case, kind="status", after="closed").count()
        closing_mails = OutboxEmail.objects.filter(case_number=case.number, template="case_closed").count()
        tally.doubles += max(0, closings - 1) + max(0, closing_mails - 1)
        tally.lost += 0 if status_chain_is_unbroken(case, "solution_proposed") else 1
        if after.status == "closed":
            assert closings == closing_mails == 1, round_number
            assert after.closed_at is not None and after.close_reason in ("confirmed", "auto_closed")
            # The customer wrote nothing after the close (a reply of theirs reopens the case,
            # or, arriving after the close, is refused with 409). Staff replies may follow
            # the sweep's as-of instant: a staff follow-up does not stop the auto-close clock.
            assert not Message.objects.filter(case=case, author=alice, created_at__gt=after.closed_at).exists()
        else:
            assert after.status == "open" and closings == closing_mails == 0, (round_number, after.status)
            assert after.closed_at is None
        for kind, result in outcomes:
            if kind == "refused":
                assert isinstance(result, Conflict)
    assert sum(end_states.values()) == ROUNDS
    tally.report(figure, "close while replying")


def test_two_auto_close_sweeps_at_once_close_each_case_once(acme, alice, engineer, figure):
    tally = Tally()
    for round_number in range(ROUNDS):
        past = timezone.now() - timedelta(days=10)
        cases = [
            CaseFactory(
                organization=acme,
                requester=alice,
                assignee=engineer,
                status="waiting_on_customer",
                status_changed_at=past,
                auto_close_at=timezone.now() - timedelta(minutes=n + 1),
            )
            for n in range(5)
        ]

        outcomes = at_once([lambda: close_idle_cases().closed for _ in range(THREADS)])

        tally.unhandled += errors_of(outcomes)
        reported = Counter(number for kind, result in outcomes if kind == "ok" for number in result)
        for case in cases:
            after = Case.objects.get(pk=case.pk)
            closings = CaseEvent.objects.filter(case=case, kind="status", after="closed").count()
            mails = OutboxEmail.objects.filter(case_number=case.number, template="case_closed").count()
            tally.doubles += max(0, closings - 1) + max(0, mails - 1) + max(0, reported[case.number] - 1)
            tally.lost += (after.status != "closed") + (closings == 0) + (mails == 0) + (reported[case.number] == 0)
            assert after.close_reason == "auto_closed" and after.closed_at is not None, round_number
    tally.report(figure, "two auto-close sweeps")
