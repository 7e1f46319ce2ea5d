"""The staff dashboard: queues, filters in the URL, Enterprise Down first."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Severity, Status

DASHBOARD_URL = "/staff/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_unassigned_queue_lists_only_unassigned_open_cases_enterprise_down_first(browser_for, engineer, make_case):
    make_case(title="Unassigned medium", status=Status.OPEN)
    make_case(title="Unassigned E-Down", status=Status.OPEN, severity=Severity.ENTERPRISE_DOWN)
    make_case(title="Unassigned new low", status=Status.NEW, severity=Severity.LOW)
    make_case(title="Already taken", status=Status.OPEN, assignee=engineer)
    make_case(title="Closed unassigned", status=Status.CLOSED)

    response = browser_for(engineer).get(DASHBOARD_URL, {"queue": "unassigned"})

    assert response.status_code == 200
    body = text(response)
    assert "Already taken" not in body
    assert "Closed unassigned" not in body
    assert body.index("Unassigned E-Down") < body.index("Unassigned medium") < body.index("Unassigned new low")
    assert '<tr class="row-enterprise_down banner-edown">' in body
    assert "1 Enterprise Down case" in body
    assert '<a href="?queue=unassigned" aria-current="page">Unassigned <span class="queue-count">3</span></a>' in body


def test_enterprise_down_stays_first_whatever_the_order_asked_for(browser_for, engineer, make_case):
    make_case(title="Recent low", status=Status.OPEN, severity=Severity.LOW)
    make_case(title="Declared emergency", status=Status.OPEN, severity=Severity.ENTERPRISE_DOWN)
    make_case(title="Newest high", status=Status.OPEN, severity=Severity.HIGH)

    body = text(browser_for(engineer).get(DASHBOARD_URL, {"queue": "all", "ordering": "-created_at"}))

    assert body.index("Declared emergency") < body.index("Newest high")
    assert body.index("Declared emergency") < body.index("Recent low")


def test_the_open_queue_is_the_default_and_hides_closed_cases(browser_for, engineer, make_case):
    make_case(title="Still open", status=Status.WAITING_ON_CUSTOMER)
    make_case(title="Done and dusted", status=Status.CLOSED)

    body = text(browser_for(engineer).get(DASHBOARD_URL))

    assert "Still open" in body and "Done and dusted" not in body
    assert '<a href="?queue=open" aria-current="page">' in body


def test_the_mine_queue_shows_the_engineers_own_cases(browser_for, engineer, manager, make_case):
    make_case(title="Case of Erin", status=Status.OPEN, assignee=engineer)
    make_case(title="Case of Max", status=Status.OPEN, assignee=manager)

    body = text(browser_for(engineer).get(DASHBOARD_URL, {"queue": "mine"}))

    assert "Case of Erin" in body and "Case of Max" not in body


def test_filters_and_search_narrow_the_queue_and_stay_in_the_url(browser_for, engineer, make_case, globex):
    for n in range(26):
        make_case(title=f"High one {n}", status=Status.OPEN, severity=Severity.HIGH, tier="L2")
    make_case(title="Low one", status=Status.OPEN, severity=Severity.LOW)
    client = browser_for(engineer)

    filtered = text(client.get(DASHBOARD_URL, {"queue": "open", "severity": "high", "tier": "L2"}))
    by_customer = text(client.get(DASHBOARD_URL, {"customer_number": "acme-1", "q": "Low"}))
    other_customer = text(client.get(DASHBOARD_URL, {"customer_number": "GLOBEX-1"}))

    assert "Low one" not in filtered
    assert filtered.count("High one") == 25
    assert 'href="?queue=open&amp;severity=high&amp;tier=L2&amp;page=2" rel="next"' in filtered
    assert "Low one" in by_customer and "High one" not in by_customer
    assert "No case in this queue matches." in other_customer


def test_engineers_get_checkboxes_and_the_bulk_assign_form(browser_for, engineer, acme_case):
    body = text(browser_for(engineer).get(DASHBOARD_URL, {"severity": "medium"}))

    assert f'<form id="bulk-assign" method="post" action="{reverse("cases:bulk_assign")}"' in body
    assert f'<input type="checkbox" name="cases" value="{acme_case.number}"' in body
    assert '<input type="hidden" name="next" value="/staff/?severity=medium">' in body
    assert "Erin Engineer" in body  # in the engineer select


def test_operators_see_the_queues_without_bulk_assign(browser_for, operator, acme_case):
    response = browser_for(operator).get(DASHBOARD_URL)

    assert response.status_code == 200
    body = text(response)
    assert acme_case.title in body
    assert 'id="bulk-assign"' not in body
    assert 'name="cases"' not in body
