"""Automatic closing over many cases: set-based (its cost follows the cases that are due,
not the table) and idempotent when two runs overlap (the hourly task and someone running
the command by hand)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from accounts.models import Plan
from cases.models import Case, CaseEvent, Status
from cases.services.auto_close import close_idle_cases
from notifications.models import OutboxEmail
from tests.factories import CaseFactory, CustomerFactory, OrganizationFactory
from tests.sla.conftest import ny

AS_OF = ny(2026, 12, 31, 10, 0)
# Claim, load, update, events, mails, and the empty claims that end each loop (14 today)
MAX_QUERIES = 16
# Many cases due: the same, with bulk inserts split into batches on SQLite (17 today)
MAX_QUERIES_MANY_DUE = 20


def waiting_cases(organization, requester, count: int, *, due: bool) -> list[Case]:  # type: ignore[no-untyped-def]
    """``count`` cases waiting on the customer whose deadline has (``due``) or has not come."""
    deadline = AS_OF - dt.timedelta(minutes=1) if due else AS_OF + dt.timedelta(days=3)
    return Case.objects.bulk_create(
        [
            CaseFactory.build(
                organization=organization,
                requester=requester,
                status=Status.SOLUTION_PROPOSED,
                status_changed_at=deadline - dt.timedelta(days=8),
                auto_close_at=deadline,
                auto_close_reminder_at=deadline - dt.timedelta(days=1),
                auto_close_reminded_at=deadline - dt.timedelta(days=1),
            )
            for _ in range(count)
        ]
    )


@pytest.mark.parametrize("not_due", [30, 300])
def test_the_number_of_queries_does_not_grow_with_the_cases_not_yet_due(
    acme, alice, django_assert_max_num_queries, not_due
):
    # Given 3 cases due and many waiting whose deadline has not come (nor their reminder)
    due = waiting_cases(acme, alice, 3, due=True)
    waiting_cases(acme, alice, not_due, due=False)
    Case.objects.bulk_create(
        [CaseFactory.build(organization=acme, requester=alice, status=Status.OPEN) for _ in range(not_due)]
    )

    # When the job runs, it takes a small, fixed number of queries
    with django_assert_max_num_queries(MAX_QUERIES):
        report = close_idle_cases(as_of=AS_OF)

    # And closes exactly the 3
    assert sorted(report.closed) == sorted(case.number for case in due)
    assert Case.objects.filter(status=Status.CLOSED).count() == 3
    assert OutboxEmail.objects.filter(template="case_closed").count() == 3


def test_the_number_of_queries_does_not_grow_with_the_cases_due_either(acme, alice, django_assert_max_num_queries):
    waiting_cases(acme, alice, 120, due=True)

    with django_assert_max_num_queries(MAX_QUERIES_MANY_DUE):
        report = close_idle_cases(as_of=AS_OF)

    assert len(report.closed) == 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_close_every_case_once_and_mail_each_requester_once():
    # Given 200 cases of several organizations, all due at the same instant
    requesters = []
    for n in range(4):
        organization = OrganizationFactory(plan=Plan.ENTERPRISE, country="US", timezone="America/New_York")
        requesters.append((organization, CustomerFactory(email=f"customer{n}@example.com", organization=organization)))
    cases = [case for organization, person in requesters for case in waiting_cases(organization, person, 50, due=True)]
    numbers = sorted(case.number for case in cases)

    # When two runs start together (the hourly task and an operator's command)
    start = threading.Barrier(2)
    reports: list[list[str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait(timeout=10)
            report = close_idle_cases(as_of=AS_OF)
            with lock:
                reports.append(report.closed)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then between them they closed every case exactly once
    assert errors == []
    assert len(reports) == 2
    assert sorted(reports[0] + reports[1]) == numbers
    assert Case.objects.filter(status=Status.CLOSED, close_reason="auto_closed").count() == 200
    # one closing e-mail per case, and one status event per case
    closing_mails = Counter(OutboxEmail.objects.filter(template="case_closed").values_list("case_number", flat=True))
    assert sorted(closing_mails) == numbers
    assert set(closing_mails.values()) == {1}
    events = Counter(CaseEvent.objects.filter(kind="status", after="closed").values_list("case_id", flat=True))
    assert sorted(events) == sorted(case.pk for case in cases)
    assert set(events.values()) == {1}
