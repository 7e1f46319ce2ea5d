"""The lists and the case page cost a fixed number of queries, however many rows they
show: nothing is fetched per case, per message or per event.

Measured (both databases): tracker 8 (9 with a text search on PostgreSQL), dashboard 6, customer's case page 10, workspace 9.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Attachment, CaseEvent, Channel, EventKind, Message, Severity, Status, TimeEntry

ROWS = [5, 30]


@pytest.fixture
def busy_case(make_case, alice, engineer, manager):  # type: ignore[no-untyped-def]
    """``busy_case(n)``: a case with n messages from several people (some internal, each
    with a file), n events and n time entries."""

    def build(n: int):  # type: ignore[no-untyped-def]
        case = make_case(status=Status.OPEN, assignee=engineer)
        authors = [alice, engineer, manager]
        messages = Message.objects.bulk_create(
            Message(
                case=case,
                author=authors[i % 3],
                body=f"message {i}",
                body_html=f"<p>message {i}</p>",
                internal=authors[i % 3] != alice and i % 2 == 0,
            )
            for i in range(n)
        )
        Attachment.objects.bulk_create(
            Attachment(
                case=case, message=m, file=f"attachments/{m.pk}.txt", name=f"{m.pk}.txt", size=10, internal=m.internal
            )
            for m in messages
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=case,
                actor=authors[i % 3],
                channel=Channel.WEB,
                kind=EventKind.STATUS,
                before=Status.OPEN,
                after=Status.WAITING_ON_CUSTOMER,
                public=i % 4 != 0,
            )
            for i in range(n)
        )
        TimeEntry.objects.bulk_create(TimeEntry(case=case, engineer=authors[1 + i % 2], minutes=5) for i in range(n))
        return case

    return build


@pytest.mark.parametrize("rows", ROWS)
def test_the_tracker_costs_the_same_for_any_number_of_cases(
    browser_for, alice, make_case, engineer, django_assert_max_num_queries, rows
):
    for n in range(rows):
        make_case(title=f"Case {n}", status=Status.OPEN, assignee=engineer if n % 2 else None)
    client = browser_for(alice)

    # The organization banner reads the memberships once (the active one among them); a
    # text search asks the planner before counting (PostgreSQL: one EXPLAIN more).
    with django_assert_max_num_queries(9 if connection.vendor == "postgresql" else 8):
        response = client.get(reverse("cases:tracker"), {"status": ["open", "new"], "q": "Case"})

    assert response.status_code == 200
    assert response.content.decode().count("badge status-open") == min(rows, 25)


@pytest.mark.parametrize("rows", ROWS)
def test_the_dashboard_costs_the_same_for_any_number_of_cases(
    browser_for, engineer, make_case, globex, django_assert_max_num_queries, rows
):
    for n in range(rows):
        make_case(
            title=f"Case {n}",
            status=Status.OPEN,
            severity=Severity.ENTERPRISE_DOWN if n % 7 == 0 else Severity.HIGH,
            assignee=engineer if n % 2 else None,
        )
    client = browser_for(engineer)

    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("cases:dashboard"),
            {"queue": "all", "severity": ["enterprise_down", "high"], "ordering": "-updated_at"},
        )

    assert response.status_code == 200
    assert response.content.decode().count('name="cases"') == min(rows, 25)


@pytest.mark.parametrize("rows", ROWS)
def test_the_customers_case_page_costs_the_same_for_any_number_of_messages(
    browser_for, alice, busy_case, django_assert_max_num_queries, rows
):
    case = busy_case(rows)
    client = browser_for(alice)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:detail", args=[case.number]))

    assert response.status_code == 200
    public = Message.objects.filter(case=case, internal=False).count()
    assert response.content.decode().count('<li id="message-') == public


@pytest.mark.parametrize("rows", ROWS)
def test_the_workspace_costs_the_same_for_any_number_of_messages(
    browser_for, engineer, busy_case, django_assert_max_num_queries, rows
):
    case = busy_case(rows)
    client = browser_for(engineer)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:workspace", args=[case.number]))

    assert response.status_code == 200
    assert response.content.decode().count('<li id="message-') == rows
