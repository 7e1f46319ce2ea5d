"""Searching costs the same few queries whether five or thirty articles match (a page
is 20): no query per result, in the API, the search page or the suggestions.

On PostgreSQL a search is: the planner setting (bitmap scans only, ``SET LOCAL``), the
title hits, the matches anywhere (skipped when the title hits fill the candidates), the
ranked page; inside a test's transaction a ``RESET`` of the setting follows (in a
request the transaction ends instead): 5 queries here, 4 in production."""

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

    with django_assert_max_num_queries(5):
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

    with django_assert_max_num_queries(9):
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

    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/kb/suggest/", {"q": "backup"})

    assert len(response.json()["results"]) == 5


def test_the_suggestion_partial_costs_a_bounded_number_of_queries(
    browser_for, alice, articles, django_assert_max_num_queries
):
    articles(12)
    browser = browser_for(alice)

    with django_assert_max_num_queries(9):
        response = browser.get("/kb/suggest/", {"title": "backup stops"})

    assert response.content.decode().count("?from=suggest") == 5


@pytest.mark.postgres
def test_more_matches_than_ranked_candidates_cost_no_more_queries(api, alice, articles, monkeypatch):
    """Past ``CANDIDATES`` matches (lowered to 3 here) the search neither counts nor
    ranks the rest: no more queries (one fewer: the title hits fill the candidates), and
    the answer says ``truncated``."""
    client = api(alice)
    articles(3)
    few = queries(client, "/api/v1/kb/articles/", {"q": "backup"})
    monkeypatch.setattr("knowledge.selectors.CANDIDATES", 3)
    articles(10)

    assert queries(client, "/api/v1/kb/articles/", {"q": "backup"}) <= few
    assert client.get("/api/v1/kb/articles/", {"q": "backup"}).json()["truncated"] is True
