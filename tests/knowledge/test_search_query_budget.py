"""Searching costs the same few queries whether five or thirty articles match (a page
is 20): no query per result, in the API, the search page or the suggestions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def articles(make_article):  # type: ignore[no-untyped-def]
    """``articles(n)``: n published articles about backups, with product and tags."""

    def build(n: int) -> None:
        for number in range(n):
            make_article(
                title=f"Backup stops, cause {number}",
                body="Raise the backup timeout in the vault settings.",
                product="Vault",
                tags="backup, timeout",
            )

    return build


def queries(client, url: str, params: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("n", [5, 30])
def test_the_search_api_costs_a_bounded_number_of_queries(api, alice, articles, django_assert_max_num_queries, n):
    articles(n)
    client = api(alice)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/kb/articles/", {"q": "backup"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(n, 20)


def test_the_search_api_costs_the_same_for_5_and_30_articles(api, alice, articles):
    client = api(alice)
    articles(5)
    few = queries(client, "/api/v1/kb/articles/", {"q": "backup"})
    articles(25)

    assert queries(client, "/api/v1/kb/articles/", {"q": "backup"}) == few


@pytest.mark.parametrize("n", [5, 30])
def test_the_search_page_costs_a_bounded_number_of_queries(
    browser_for, alice, articles, django_assert_max_num_queries, n
):
    articles(n)
    browser = browser_for(alice)

    with django_assert_max_num_queries(8):
        response = browser.get("/kb/", {"q": "backup"})

    assert response.status_code == 200
    assert response.content.decode().count('<p class="snippet">') == min(n, 20)


def test_the_search_page_costs_the_same_for_5_and_30_articles(browser_for, alice, articles):
    browser = browser_for(alice)
    articles(5)
    few = queries(browser, "/kb/", {"q": "backup"})
    articles(25)

    assert queries(browser, "/kb/", {"q": "backup"}) == few


def test_the_suggestions_cost_the_same_for_one_and_five_articles(api, alice, articles):
    client = api(alice)
    articles(1)
    one = queries(client, "/api/v1/kb/suggest/", {"q": "backup"})
    articles(4)

    assert queries(client, "/api/v1/kb/suggest/", {"q": "backup"}) == one


def test_the_suggestions_cost_a_bounded_number_of_queries(api, alice, articles, django_assert_max_num_queries):
    articles(5)
    client = api(alice)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/kb/suggest/", {"q": "backup"})

    assert len(response.json()["results"]) == 5
