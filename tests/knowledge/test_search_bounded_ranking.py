"""With many matches the search ranks a bounded set of candidates, found through the
GIN indexes alone: the title hits first, then matches anywhere
(``knowledge.selectors.CANDIDATES``, 100 of each; lowered to 3 here so a handful of
articles is "many"). The answer says so with ``truncated``, a title hit still comes first
however many newer articles mention the word, and the pages are consistent with
``count``.

PostgreSQL only: SQLite searches with LIKE over every row and counts them exactly."""

from __future__ import annotations

import re

import pytest
import time_machine

pytestmark = pytest.mark.postgres

URL = "/api/v1/kb/articles/"


@pytest.fixture
def few_candidates(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("knowledge.selectors.CANDIDATES", 3)


@pytest.fixture
def old_title_hit_and_newer_body_hits(make_article):  # type: ignore[no-untyped-def]
    """One old article about the word in its title, then eight newer ones that only
    mention it in their body."""
    with time_machine.travel("2024-01-01 09:00Z", tick=False):
        title_hit = make_article(title="Proxy drops the session", body="Raise the idle timeout.")
    body_hits = []
    for day in range(1, 9):
        with time_machine.travel(f"2025-02-{day:02d} 09:00Z", tick=False):
            body_hits.append(make_article(title=f"Checklist {day}", body="Look at the proxy logs first."))
    return title_hit, body_hits


def test_a_small_result_is_complete_and_says_it_is_not_truncated(api, alice, make_article):
    make_article(title="Proxy drops the session", body="Raise the idle timeout.")
    make_article(title="Checklist", body="Look at the proxy logs first.")

    body = api(alice).get(URL, {"q": "proxy"}).json()

    assert body["count"] == 2
    assert len(body["results"]) == 2
    assert body["truncated"] is False
    assert body["next"] is None


def test_more_matches_than_candidates_say_truncated(api, alice, few_candidates, old_title_hit_and_newer_body_hits):
    body = api(alice).get(URL, {"q": "proxy"}).json()

    assert body["truncated"] is True
    assert body["count"] == len(body["results"]) < 9


def test_an_old_title_hit_still_comes_first_among_many_newer_body_hits(
    api, alice, few_candidates, old_title_hit_and_newer_body_hits
):
    title_hit, body_hits = old_title_hit_and_newer_body_hits

    results = api(alice).get(URL, {"q": "proxy"}).json()["results"]

    assert results[0]["id"] == title_hit.pk
    # Then body hits, newest first among equals.
    rest = [r["id"] for r in results[1:]]
    assert rest
    assert set(rest) <= {a.pk for a in body_hits}
    assert rest == sorted(rest, reverse=True)


def test_the_search_page_lists_the_old_title_hit_first_too(
    browser_for, alice, few_candidates, old_title_hit_and_newer_body_hits
):
    page = browser_for(alice).get("/kb/", {"q": "proxy"}).content.decode()

    titles = re.findall(r"<h3><a [^>]*>([^<]*)</a>", page)
    assert titles[0] == "Proxy drops the session"
    assert len(titles) > 1


def test_without_words_every_article_is_counted_and_listed(api, alice, few_candidates, make_article):
    for number in range(5):
        make_article(title=f"Article {number}")

    body = api(alice).get(URL, {"q": ""}).json()

    assert body["count"] == 5
    assert body["truncated"] is False


def test_the_pages_follow_one_another_without_repeats(api, alice, make_article):
    for number in range(25):
        make_article(title=f"Proxy case {number}", body="Proxy settings.")
    client = api(alice)

    first = client.get(URL, {"q": "proxy"}).json()
    second = client.get(URL, {"q": "proxy", "page": 2}).json()

    ids = [r["id"] for r in first["results"] + second["results"]]
    assert first["count"] == 25
    assert len(ids) == len(set(ids)) == 25
    assert second["next"] is None
