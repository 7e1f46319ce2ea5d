"""The case lifecycle as a hypothesis state machine, driven through the same service
functions the API and the pages call (cases.services, escalation.services, the
auto-close sweep), with the clock moved forward by time-machine.

A plain model predicts every outcome (applied, or refused with which error); after
every step the invariants are checked on every case:

- the status is the one the model predicts, and the trail of status events is an
  unbroken chain of legal transitions;
- at most one M1 per case; M2 rows follow it (a repeated M2 only by a staff phone call);
- exactly one audit row (CaseEvent) per change: per transition, severity change,
  escalation, Enterprise Down declaration and message, and none for a refused action;
- a closed case has ``closed_at`` and a close reason, an open one has neither;
- the SLA and auto-close fields agree with the status and the severity.

Each example runs in a savepoint that is rolled back, so examples do not see each other.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from cases import services
from cases.models import SEVERITY_RANK, Case, CaseEvent, Status
from cases.services.auto_close import close_idle_cases
from cases.services.clocks import AUTO_CLOSE_BUSINESS_DAYS, business_days_calendar
from casetracker.errors import Conflict
from escalation.models import Escalation
from escalation.services import declare_enterprise_down, escalate_case

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, in Acme's business hours
AWAITING = {Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED}
OPEN = {Status.NEW, Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED}
LEGAL = {
    (Status.NEW, Status.OPEN),
    (Status.NEW, Status.WAITING_ON_CUSTOMER),
    (Status.NEW, Status.SOLUTION_PROPOSED),
    (Status.OPEN, Status.WAITING_ON_CUSTOMER),
    (Status.OPEN, Status.SOLUTION_PROPOSED),
    (Status.WAITING_ON_CUSTOMER, Status.OPEN),
    (Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED),
    (Status.SOLUTION_PROPOSED, Status.OPEN),
    (Status.SOLUTION_PROPOSED, Status.WAITING_ON_CUSTOMER),
    *((status, Status.CLOSED) for status in OPEN),
    (Status.CLOSED, Status.OPEN),
}
CHANGEABLE = ["critical", "high", "medium", "low"]


class Model:
    """What one case should look like."""

    def __init__(self, severity: str) -> None:
        self.status: str = Status.NEW
        self.severity = severity
        self.level = "none"
        self.levels: list[str] = []
        self.closed_at: datetime | None = None
        self.close_reason = ""
        self.awaiting_since: datetime | None = None
        self.events: dict[str, int] = {"created": 1}

    def add(self, kind: str, n: int = 1) -> None:
        self.events[kind] = self.events.get(kind, 0) + n

    def move(self, status: str, now: datetime, reason: str = "") -> None:
        if status == self.status:
            return
        self.add("status")
        self.status = status
        if status in AWAITING:
            self.awaiting_since = now
        if status == Status.CLOSED:
            self.closed_at, self.close_reason = now, reason
        else:
            self.closed_at, self.close_reason = None, ""


class CaseLifecycle(RuleBasedStateMachine):
    people: dict[str, Any] = {}
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[int, Model] = {}
        self.refusals = 0
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._travel = time_machine.travel(START, tick=False)
        self.clock = self._travel.start()

    def teardown(self) -> None:
        self._travel.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------

    def p(self, name: str) -> Any:
        return self.people[name]

    def act(self, pk: int, refusal: type[BaseException] | None, call: Any) -> Any:
        """Run ``call(case)``; it must raise ``refusal`` (and change nothing), or succeed."""
        case = Case.objects.get(pk=pk)
        if refusal is None:
            return call(case)
        before = CaseEvent.objects.filter(case_id=pk).count()
        with pytest.raises(refusal):
            call(case)
        assert CaseEvent.objects.filter(case_id=pk).count() == before, "a refused action left an event"
        self.refusals += 1
        return None

    # --- rules --------------------------------------------------------------------------

    @precondition(lambda self: len(self.model) < 3)
    @rule(target=cases, severity=st.sampled_from(CHANGEABLE))
    def log_case(self, severity: str) -> int:
        case = services.log_case(
            actor=self.p("alice"),
            title="Backups fail",
            description="Since the upgrade the nightly backup stops at 40%.",
            severity=severity,
            request_type="incident",
        )
        self.model[case.pk] = Model(severity)
        return case.pk

    @rule(pk=cases)
    def staff_reply(self, pk: int) -> None:
        m = self.model[pk]
        closed = m.status == Status.CLOSED
        self.act(
            pk,
            Conflict if closed else None,
            lambda case: services.add_message(case=case, author=self.p("engineer"), body="Looking into it."),
        )
        if not closed:
            m.add("message")
            if m.status == Status.NEW:
                m.move(Status.OPEN, timezone.now())

    @rule(pk=cases)
    def request_info(self, pk: int) -> None:
        self._staff_status_action(pk, services.request_info, Status.WAITING_ON_CUSTOMER)

    @rule(pk=cases)
    def propose_solution(self, pk: int) -> None:
        self._staff_status_action(pk, services.propose_solution, Status.SOLUTION_PROPOSED)

    def _staff_status_action(self, pk: int, service: Any, status: str) -> None:
        m = self.model[pk]
        closed = m.status == Status.CLOSED
        self.act(
            pk,
            Conflict if closed else None,
            lambda case: service(case=case, actor=self.p("engineer"), body="Over to you."),
        )
        if not closed:
            m.add("message")
            m.move(status, timezone.now())

    @rule(pk=cases, rejecting=st.booleans())
    def customer_reply(self, pk: int, rejecting: bool) -> None:
        """A customer message; on a proposed solution it is the customer rejecting it."""
        m = self.model[pk]
        closed = m.status == Status.CLOSED
        body = "That did not work." if rejecting else "Here are the logs."
        self.act(
            pk,
            Conflict if closed else None,
            lambda case: services.add_message(case=case, author=self.p("alice"), body=body),
        )
        if not closed:
            m.add("message")
            if m.status in AWAITING:
                m.move(Status.OPEN, timezone.now())

    @rule(pk=cases)
    def confirm(self, pk: int) -> None:
        m = self.model[pk]
        allowed = m.status == Status.SOLUTION_PROPOSED
        self.act(
            pk, None if allowed else Conflict, lambda case: services.confirm_solution(case=case, actor=self.p("alice"))
        )
        if allowed:
            m.move(Status.CLOSED, timezone.now(), "confirmed")

    @rule(pk=cases)
    def withdraw(self, pk: int) -> None:
        m = self.model[pk]
        allowed = m.status != Status.CLOSED
        self.act(
            pk,
            None if allowed else Conflict,
            lambda case: services.withdraw_case(case=case, actor=self.p("alice"), reason="Not needed."),
        )
        if allowed:
            m.move(Status.CLOSED, timezone.now(), "withdrawn")

    @rule(pk=cases, by_staff=st.booleans())
    def reopen(self, pk: int, by_staff: bool) -> None:
        m = self.model[pk]
        now = timezone.now()
        allowed = m.status == Status.CLOSED and m.closed_at is not None and now - m.closed_at <= timedelta(days=30)
        actor = self.p("engineer") if by_staff else self.p("alice")
        self.act(
            pk,
            None if allowed else Conflict,
            lambda case: services.reopen_case(case=case, actor=actor, reason="It fails again."),
        )
        if allowed:
            m.move(Status.OPEN, now)

    @rule(pk=cases, severity=st.sampled_from(CHANGEABLE), by_staff=st.booleans())
    def change_severity(self, pk: int, severity: str, by_staff: bool) -> None:
        m = self.model[pk]
        refusal: type[BaseException] | None = None
        if m.status == Status.CLOSED:
            refusal = Conflict
        elif m.severity == severity:
            refusal = ValidationError
        elif m.severity == "enterprise_down" and not by_staff:
            refusal = PermissionDenied
        actor = self.p("engineer") if by_staff else self.p("alice")
        self.act(
            pk,
            refusal,
            lambda case: services.change_severity(case=case, actor=actor, severity=severity, reason="Impact changed."),
        )
        if refusal is None:
            m.severity = severity
            m.add("severity")

    @rule(pk=cases, by_phone=st.booleans())
    def escalate(self, pk: int, by_phone: bool) -> None:
        m = self.model[pk]
        refused = m.status == Status.CLOSED or (not by_phone and m.level != "none")
        actor = self.p("operator") if by_phone else self.p("alice")
        escalation = self.act(
            pk,
            Conflict if refused else None,
            lambda case: escalate_case(case=case, actor=actor, reason="Needs attention."),
        )
        if not refused:
            m.level = "M1" if m.level == "none" else "M2"
            m.levels.append(m.level)
            m.add("escalation")
            assert escalation.level == m.level

    @rule(pk=cases)
    def declare_enterprise_down(self, pk: int) -> None:
        m = self.model[pk]
        maintenance_over = self.p("alice").memberships.get().organization.maintenance_until < timezone.localdate()
        refusal: type[BaseException] | None = None
        if maintenance_over:
            refusal = PermissionDenied
        elif m.status == Status.CLOSED or m.severity == "enterprise_down":
            refusal = Conflict
        self.act(
            pk,
            refusal,
            lambda case: declare_enterprise_down(
                case=case,
                actor=self.p("alice"),
                category="server_unresponsive",
                total_users=100,
                affected_users=90,
                actions_taken="Restarted twice.",
                down_since=timezone.now() - timedelta(hours=1),
                contact={
                    "name": "Carl",
                    "phone": "+1 555 0100",
                    "email": "carl@acme.example",
                    "on_site": True,
                    "speaks_english": True,
                },
            ),
        )
        if refusal is None:
            m.severity = "enterprise_down"
            m.add("edown")

    @rule(hours=st.sampled_from([1, 20, 72, 24 * 6, 24 * 9, 24 * 31]))
    def time_passes_and_the_sweep_runs(self, hours: int) -> None:
        self.clock.shift(timedelta(hours=hours))
        now = timezone.now()
        due = []
        for pk, m in self.model.items():
            if m.status in AWAITING:
                case = Case.objects.select_related("organization").get(pk=pk)
                deadline = business_days_calendar(case).add_business_days(m.awaiting_since, AUTO_CLOSE_BUSINESS_DAYS)
                if deadline <= now:
                    due.append(pk)
        closed = close_idle_cases()
        assert sorted(closed.closed) == sorted(Case(pk=pk).number for pk in due)
        for pk in due:
            self.model[pk].move(Status.CLOSED, now, "auto_closed")

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def every_case_is_what_the_model_says(self) -> None:
        for pk, m in self.model.items():
            case = Case.objects.get(pk=pk)
            # A legal status, the one the transitions taken lead to.
            assert case.status == m.status, (case.number, case.status, m.status)
            chain = list(
                CaseEvent.objects.filter(case_id=pk, kind="status").order_by("id").values_list("before", "after")
            )
            current = Status.NEW
            for before, after in chain:
                assert before == current and (before, after) in LEGAL, (case.number, chain)
                current = after
            assert current == case.status
            # Exactly one audit row per change.
            kinds: dict[str, int] = {}
            for kind in CaseEvent.objects.filter(case_id=pk).values_list("kind", flat=True):
                kinds[kind] = kinds.get(kind, 0) + 1
            assert kinds == m.events, (case.number, kinds, m.events)
            # At most one escalation per level (a repeated M2 only by a staff phone call).
            rows = list(Escalation.objects.filter(case_id=pk).order_by("id").values_list("level", "channel"))
            assert [level for level, _channel in rows] == m.levels
            assert [level for level, _channel in rows].count("M1") <= 1
            assert all(channel == "phone" for level, channel in rows[2:]), rows
            assert case.escalation_level == m.level
            # Closing: closed_at and the reason, exactly when closed.
            assert case.close_reason == m.close_reason
            if m.status == Status.CLOSED:
                assert case.closed_at == m.closed_at
            else:
                assert case.closed_at is None
            # Severity and SLA clocks agree with the status.
            assert case.severity == m.severity and case.severity_rank == SEVERITY_RANK[m.severity]
            self._clocks_agree(case)

    @staticmethod
    def _clocks_agree(case: Case) -> None:
        if case.status == Status.CLOSED:
            assert case.sla_due_at is None and case.next_update_due_at is None
            assert case.auto_close_at is None or case.close_reason != "auto_closed"
            return
        pending = []
        if case.first_response_at is None:
            assert case.first_response_due_at is not None
            pending.append(case.first_response_due_at)
        if case.status in AWAITING:
            assert case.next_update_due_at is None
            assert case.auto_close_at is not None and case.auto_close_reminder_at is not None
            assert case.auto_close_reminder_at < case.auto_close_at
            assert timedelta(days=AUTO_CLOSE_BUSINESS_DAYS) <= case.auto_close_at - case.status_changed_at
            assert case.auto_close_at - case.status_changed_at <= timedelta(days=15)
        else:
            assert case.auto_close_at is None and case.auto_close_reminder_at is None
            assert case.next_update_due_at is not None
            pending.append(case.next_update_due_at)
        assert case.sla_due_at == (min(pending) if pending else None)


def test_the_case_lifecycle_keeps_its_invariants(acme, alice, engineer, manager, director, operator):
    class Lifecycle(CaseLifecycle):
        people = {
            "alice": alice,
            "engineer": engineer,
            "manager": manager,
            "director": director,
            "operator": operator,
        }

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
