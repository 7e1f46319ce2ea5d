"""Whatever a customer types in the search box, the knowledge base answers: no words list
the latest articles, more than 200 characters is a 400 naming ``q``, and the characters
that break PostgreSQL's to_tsquery (quotes, &, |, !, :*, parentheses…) are plain words
to us (API.md "Errors": no input ever yields a 5xx)."""

from __future__ import annotations

import pytest
import time_machine

URL = "/api/v1/kb/articles/"
SUGGEST_URL = "/api/v1/kb/suggest/"

HOSTILE_QUERIES = [
    '"',
    "&",
    "|",
    "!",
    ":*",
    "'",
    "\\",
    "<>",
    "(",
    ")",
    '"backup',
    "backup & | stops",
    "!!backup",
    "backup:*",
    "backup:* & !stops",
    "o'neil's backup",
    "(backup | stops",
    "backup <-> stops",
    "backup <2> stops",
    "-backup",
    "backup or",
    "% _ %%",
    "'\\'' \"\\\"",
    "<script>alert(1)</script>",
    "-- ; drop table knowledge_article",
]


@pytest.fixture(autouse=True)
def _an_article(make_article):  # type: ignore[no-untyped-def]
    """The queries run against a real article, so that ranking and snippets are built."""
    make_article(title="Backup stops at 40 percent", body="Raise the backup timeout: 'quotes' & (parentheses)!")


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_a_query_full_of_operators_is_answered_by_the_api(api, alice, q):
    response = api(alice).get(URL, {"q": q})

    assert response.status_code == 200, response.content
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_a_query_full_of_operators_is_answered_by_the_search_page(browser_for, alice, q):
    assert browser_for(alice).get("/kb/", {"q": q}).status_code == 200


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_a_draft_title_full_of_operators_gets_suggestions_or_none(api, browser_for, alice, q):
    assert api(alice).get(SUGGEST_URL, {"q": q}).status_code == 200
    assert browser_for(alice).get("/kb/suggest/", {"title": q}).status_code == 200


@pytest.mark.postgres
def test_operators_around_a_word_still_find_it(api, alice):
    response = api(alice).get(URL, {"q": '"backup" & (stops | !'})

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["Backup stops at 40 percent"]


def test_no_words_list_the_latest_articles_first(api, alice, make_article):
    with time_machine.travel("2030-01-01 09:00Z", tick=False):
        newest = make_article(title="License keys", body="How to generate one.")

    for q in ("", "   "):
        response = api(alice).get(URL, {"q": q})
        assert response.status_code == 200
        titles = [item["title"] for item in response.json()["results"]]
        assert titles == [newest.title, "Backup stops at 40 percent"]


def test_the_search_page_without_words_shows_the_latest_articles(browser_for, alice):
    response = browser_for(alice).get("/kb/", {"q": ""})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Latest articles" in page
    assert "Backup stops at 40 percent" in page


def test_two_hundred_characters_are_searched(api, browser_for, alice):
    q = "backup " + "x" * 193

    assert api(alice).get(URL, {"q": q}).status_code == 200
    assert browser_for(alice).get("/kb/", {"q": q}).status_code == 200


def test_more_than_two_hundred_characters_are_refused_naming_q(api, alice):
    response = api(alice).get(URL, {"q": "backup " + "x" * 194})

    assert response.status_code == 400
    assert list(response.json()) == ["q"]


def test_the_search_page_refuses_more_than_two_hundred_characters(browser_for, alice):
    response = browser_for(alice).get("/kb/", {"q": "x" * 201})

    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "at most 200 characters" in page
    assert "Backup stops at 40 percent" not in page


def test_suggestions_for_more_than_two_hundred_characters_are_refused_naming_q(api, browser_for, alice):
    response = api(alice).get(SUGGEST_URL, {"q": "backup " + "x" * 194})

    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    # The Case Logger's title box just shows no suggestions.
    assert browser_for(alice).get("/kb/suggest/", {"title": "backup " + "x" * 194}).status_code == 200


def test_a_nul_character_in_the_words_is_refused_naming_q(api, browser_for, alice):
    for q in ("\x00", "backup\x00stops"):
        response = api(alice).get(URL, {"q": q})
        assert response.status_code == 400, repr(q)
        assert list(response.json()) == ["q"]
    assert browser_for(alice).get("/kb/", {"q": "backup\x00stops"}).status_code == 400


def test_a_nul_character_in_a_draft_title_gets_no_suggestions(api, browser_for, alice):
    response = api(alice).get(SUGGEST_URL, {"q": "backup\x00stops"})

    assert response.status_code == 400
    assert list(response.json()) == ["q"]
    partial = browser_for(alice).get("/kb/suggest/", {"title": "backup\x00stops"})
    assert partial.status_code == 200
    assert partial.content.decode().strip() == ""


def test_a_nul_character_in_the_product_is_refused_naming_product(api, alice):
    response = api(alice).get(URL, {"q": "backup", "product": "Vault\x00"})

    assert response.status_code == 400
    assert list(response.json()) == ["product"]


def test_a_page_number_that_is_not_a_number_is_not_a_server_error(api, browser_for, alice):
    assert api(alice).get(URL, {"q": "backup", "page": "abc"}).status_code == 404
    assert browser_for(alice).get("/kb/", {"q": "backup", "page": "abc"}).status_code == 200
