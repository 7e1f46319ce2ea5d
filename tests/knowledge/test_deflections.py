"""A deflection is a suggested article opened by a customer (the Case Logger's link
carries ``?from=suggest``) who then logs no case within 30 minutes. Managers read the
count on the figures page; every view of an article counts in ``view_count``."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from knowledge.selectors import deflections
from tests.factories import CustomerFactory

NOW = datetime.datetime(2025, 3, 20, 10, 0, tzinfo=datetime.UTC)
SINCE = NOW - datetime.timedelta(hours=1)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def article(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")


def open_suggestion(client, article) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/kb/articles/{article.pk}/", {"from": "suggest"})
    assert response.status_code == 200


def log_a_case(api, customer) -> None:  # type: ignore[no-untyped-def]
    response = api(customer).post(
        "/api/v1/cases/",
        {"title": "VPN drops", "description": "Every hour.", "severity": "medium", "request_type": "incident"},
        format="json",
    )
    assert response.status_code == 201, response.json()


def after(minutes: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=minutes)


def test_a_suggestion_opened_and_no_case_within_30_minutes_is_one_deflection(clock, browser_for, alice, article):
    open_suggestion(browser_for(alice), article)

    clock.shift(after(29))
    assert deflections(since=SINCE) == 0  # she may still log her case

    clock.shift(after(2))
    assert deflections(since=SINCE) == 1


def test_the_manager_sees_the_deflection_on_the_figures_page(clock, browser_for, alice, manager, article):
    open_suggestion(browser_for(alice), article)
    clock.shift(after(31))

    response = browser_for(manager).get("/staff/figures/")

    assert response.status_code == 200
    assert '<strong class="figures-number">1</strong>' in response.content.decode()


def test_logging_a_case_within_30_minutes_is_no_deflection(clock, api, browser_for, alice, article):
    open_suggestion(browser_for(alice), article)
    clock.shift(after(10))
    log_a_case(api, alice)

    clock.shift(after(60))

    assert deflections(since=SINCE) == 0


def test_a_case_logged_after_the_30_minutes_leaves_the_deflection(clock, api, browser_for, alice, article):
    open_suggestion(browser_for(alice), article)
    clock.shift(after(45))
    log_a_case(api, alice)

    assert deflections(since=SINCE) == 1


def test_another_customers_case_does_not_undo_a_deflection(clock, api, browser_for, alice, acme, article):
    colleague = CustomerFactory(organization=acme)
    open_suggestion(browser_for(alice), article)
    clock.shift(after(5))
    log_a_case(api, colleague)

    clock.shift(after(60))

    assert deflections(since=SINCE) == 1


def test_staff_opening_a_suggestion_is_no_deflection(clock, browser_for, engineer, article):
    open_suggestion(browser_for(engineer), article)

    clock.shift(after(60))

    assert deflections(since=SINCE) == 0


def test_opening_an_article_without_from_suggest_is_no_deflection(clock, browser_for, alice, article):
    response = browser_for(alice).get(f"/kb/articles/{article.pk}/")
    assert response.status_code == 200

    clock.shift(after(60))

    assert deflections(since=SINCE) == 0


def test_reloading_a_suggested_article_is_still_one_deflection(clock, browser_for, alice, article):
    browser = browser_for(alice)
    open_suggestion(browser, article)
    clock.shift(after(1))
    open_suggestion(browser, article)

    clock.shift(after(60))

    assert deflections(since=SINCE) == 1


def test_opening_a_suggestion_through_the_api_counts_too(clock, api, alice, article):
    assert api(alice).get(f"/api/v1/kb/articles/{article.pk}/", {"from": "suggest"}).status_code == 200

    clock.shift(after(31))

    assert deflections(since=SINCE) == 1


def test_every_view_counts_whoever_opens_the_article(clock, api, browser_for, alice, engineer, article):
    browser_for(alice).get(f"/kb/articles/{article.pk}/")
    browser_for(alice).get(f"/kb/articles/{article.pk}/", {"from": "suggest"})
    api(alice).get(f"/api/v1/kb/articles/{article.pk}/")
    api(engineer).get(f"/api/v1/kb/articles/{article.pk}/")

    article.refresh_from_db()
    assert article.view_count == 4


def test_a_search_or_a_suggestion_is_not_a_view(api, alice, article):
    api(alice).get("/api/v1/kb/articles/", {"q": "vpn"})
    api(alice).get("/api/v1/kb/suggest/", {"q": "vpn"})

    article.refresh_from_db()
    assert article.view_count == 0
