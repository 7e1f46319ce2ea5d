"""The portal home: a customer's open cases, the Case Logger button and the knowledge-base
search; staff go straight to their dashboard."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Severity, Status


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_a_customer_sees_their_open_cases_with_status_and_severity(browser_for, alice, make_case):
    open_case = make_case(title="Reports are empty", status=Status.OPEN, severity=Severity.HIGH)
    make_case(title="Old closed question", status=Status.CLOSED)

    response = browser_for(alice).get(reverse("cases:home"))

    assert response.status_code == 200
    body = text(response)
    assert "Reports are empty" in body
    assert f'href="{reverse("cases:detail", args=[open_case.number])}"' in body
    assert '<span class="badge status-open">Open</span>' in body
    assert '<span class="badge sev-high">High</span>' in body
    assert "Old closed question" not in body


def test_the_home_page_offers_the_case_logger_and_a_knowledge_base_search(browser_for, alice):
    response = browser_for(alice).get(reverse("cases:home"))

    body = text(response)
    assert f'href="{reverse("cases:log")}"' in body
    assert '<form class="kb-search" method="get" action="/kb/"' in body
    assert 'name="q"' in body
    assert "You have no open cases." in body


def test_the_home_page_shows_nothing_of_another_organization(browser_for, oscar, make_case):
    make_case(title="Acme secret outage", status=Status.OPEN)

    response = browser_for(oscar).get(reverse("cases:home"))

    assert response.status_code == 200
    assert "Acme secret outage" not in text(response)


def test_staff_are_sent_to_the_dashboard(browser_for, engineer):
    response = browser_for(engineer).get(reverse("cases:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:dashboard")


def test_an_anonymous_visitor_is_asked_to_sign_in(client, db):
    response = client.get(reverse("cases:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_enterprise_down_case_is_listed_first(browser_for, alice, make_case):
    make_case(title="Minor glitch", status=Status.OPEN, severity=Severity.LOW)
    make_case(title="Everything is down", status=Status.OPEN, severity=Severity.ENTERPRISE_DOWN)

    body = text(browser_for(alice).get(reverse("cases:home")))

    assert body.index("Everything is down") < body.index("Minor glitch")
    assert "banner-edown" in body
