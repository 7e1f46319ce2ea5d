"""The Case Tracker: the customer's cases with colours, hours spent and filters in the URL."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Severity, Status
from tests.factories import CaseFactory

TRACKER_URL = "/cases/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_tracker_lists_the_customers_cases_with_badges_and_hours(browser_for, alice, make_case, globex):
    case = make_case(
        title="License server refuses keys",
        status=Status.WAITING_ON_CUSTOMER,
        severity=Severity.CRITICAL,
        request_type="license_key",
        spent_minutes=90,
    )
    CaseFactory(organization=globex, title="Globex private matter")

    response = browser_for(alice).get(TRACKER_URL)

    assert response.status_code == 200
    body = text(response)
    assert f'<a href="{reverse("cases:detail", args=[case.number])}">{case.number}</a>' in body
    assert "License server refuses keys" in body
    assert '<span class="badge status-waiting_on_customer">Waiting on customer</span>' in body
    assert '<span class="badge sev-critical">Critical</span>' in body
    assert "Permission to generate a license key" in body
    assert '<td class="num">1.5</td>' in body
    assert "Globex private matter" not in body
    # One organization: no organization column, no organization filter.
    assert "Customer number" not in body


def test_filters_live_in_the_url_and_survive_pagination(browser_for, alice, make_case):
    for n in range(27):
        make_case(title=f"Open case {n}", status=Status.OPEN)
    make_case(title="A closed one", status=Status.CLOSED)
    client = browser_for(alice)

    first = client.get(TRACKER_URL, {"status": "open"})

    body = text(first)
    assert "A closed one" not in body
    assert "27 cases" in body
    assert 'href="?status=open&amp;page=2"' in body
    assert 'value="open" id="id_status_1" checked' in body

    second = client.get(TRACKER_URL, {"status": "open", "page": 2})

    assert second.status_code == 200
    assert body.count("Open case") == 25
    assert text(second).count("Open case") == 2


def test_a_search_finds_a_case_by_its_words_or_its_number(browser_for, alice, make_case):
    wanted = make_case(title="Printer spooler crashes")
    make_case(title="Unrelated question")
    client = browser_for(alice)

    by_words = text(client.get(TRACKER_URL, {"q": "spooler"}))
    by_number = text(client.get(TRACKER_URL, {"q": wanted.number}))

    for body in (by_words, by_number):
        assert "Printer spooler crashes" in body
        assert "Unrelated question" not in body


def test_no_match_says_so_and_offers_to_clear_the_filters(browser_for, alice, make_case):
    make_case(title="Something")

    body = text(browser_for(alice).get(TRACKER_URL, {"q": "nothing-like-this"}))

    assert "No case matches these filters." in body
    assert "Clear filters" in body


def test_a_member_of_several_organizations_sees_and_filters_by_organization(browser_for, alice, make_case, initech):
    make_case(title="Acme thing")
    CaseFactory(organization=initech, requester=alice, title="Initech thing")
    client = browser_for(alice)

    everything = text(client.get(TRACKER_URL))
    only_initech = text(client.get(TRACKER_URL, {"organization": initech.pk}))

    assert "Acme thing" in everything and "Initech thing" in everything
    assert "Customer number" in everything
    assert f'<option value="{initech.pk}">INITECH-1 – Initech</option>' in everything
    assert "Initech thing" in only_initech and "Acme thing" not in only_initech


def test_another_organizations_id_in_the_url_shows_nothing(browser_for, oscar, make_case, acme):
    make_case(title="Acme thing")

    body = text(browser_for(oscar).get(TRACKER_URL, {"organization": acme.pk}))

    assert "Acme thing" not in body


def test_hours_spent_are_added_up(browser_for, alice, make_case):
    make_case(spent_minutes=30)
    make_case(spent_minutes=60)

    body = text(browser_for(alice).get(TRACKER_URL))

    assert "Hours spent in total" in body
    assert '<td class="num">1.5</td>' in body


def test_a_bad_filter_value_is_shown_beside_the_filter(browser_for, alice):
    response = browser_for(alice).get(TRACKER_URL, {"status": "sleeping"})

    assert response.status_code == 400
    assert "sleeping is not one of the available choices" in text(response)


def test_staff_use_the_dashboard_instead(browser_for, engineer):
    response = browser_for(engineer).get(TRACKER_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:dashboard")
