"""The figures cost a fixed number of queries, however many cases and escalations there
are: everything is counted in the database, nothing is fetched per case.

Measured (both databases): 12 with an organization chosen — session, user, the chosen
organization, three for the backlog, one each for SLA compliance, escalations, the L1
share and the median, one for the deflections, and the organizations for the filter's
select. A CSV download: the session, the user, the chosen organization and its chart.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from cases.models import Severity
from escalation.models import Level

from .conftest import PERIOD, at

pytestmark = pytest.mark.django_db
BUDGET = 14


def busy_history(n, make_case, escalate, change_tier, globex, oscar):  # type: ignore[no-untyped-def]
    severities = list(Severity.values)
    for i in range(n):
        day = 3 + i % 14
        case = make_case(
            created=at(day, 8),
            closed=at(day, 16) if i % 3 else None,
            severity=severities[i % 5],
            first_response_due_at=at(day, 12),
            first_response_at=at(day, 8) + datetime.timedelta(minutes=7 * i) if i % 4 else None,
            **({"organization": globex, "requester": oscar} if i % 7 == 0 else {}),
        )
        if i % 5 == 0:
            change_tier(case, Tier.L2)
        if i % 6 == 0:
            escalate(case, Level.M1, at(day, 13))


@pytest.mark.parametrize("cases", [5, 50])
def test_the_page_costs_the_same_for_5_or_50_cases(
    browser_for,
    manager,
    clock,
    make_case,
    escalate,
    change_tier,
    globex,
    oscar,
    acme,
    cases,
    django_assert_max_num_queries,
):
    busy_history(cases, make_case, escalate, change_tier, globex, oscar)
    client = browser_for(manager)

    with django_assert_max_num_queries(BUDGET):
        response = client.get("/staff/figures/", {**PERIOD, "organization": acme.pk, "product": "Vault"})

    assert response.status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_data(
    browser_for, manager, clock, make_case, escalate, change_tier, globex, oscar
):
    client = browser_for(manager)
    counts = []
    for batch in (5, 45):
        busy_history(batch, make_case, escalate, change_tier, globex, oscar)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/figures/", PERIOD).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= BUDGET


@pytest.mark.parametrize("chart", ["backlog", "sla", "escalations", "l1", "first-response"])
def test_a_csv_download_costs_a_handful_of_queries(
    browser_for, manager, clock, make_case, escalate, change_tier, globex, oscar, chart, django_assert_max_num_queries
):
    busy_history(30, make_case, escalate, change_tier, globex, oscar)
    client = browser_for(manager)

    with django_assert_max_num_queries(5):
        assert client.get(f"/staff/figures/csv/{chart}/", PERIOD).status_code == 200
