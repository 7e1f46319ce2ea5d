"""Searching the knowledge base: an article whose title matches comes before one that
only mentions the words in its body, and every result shows a snippet with the hits
marked and nothing of the body's HTML (API.md "Knowledge base and news")."""

from __future__ import annotations

import re

import time_machine

URL = "/api/v1/kb/articles/"
HOSTILE_BODY = (
    "Check the connection first. <script>alert(1)</script> "
    '<img src="x" onerror="alert(2)"> <img src=y onerror=alert(3)> Then retry.'
)


def tags_in(html: str) -> set[str]:
    return set(re.findall(r"<[^>]*>", html))


def test_a_title_match_outranks_a_newer_article_that_only_mentions_the_word(api, alice, make_article):
    with time_machine.travel("2025-03-03 09:00Z", tick=False):
        title_hit = make_article(title="Connection refused by the database", body="Open port 5432 in the firewall.")
    with time_machine.travel("2025-03-04 09:00Z", tick=False):
        body_hit = make_article(title="Firewall checklist", body="Check every connection the database accepts.")
    make_article(title="License keys", body="How to generate one.")

    response = api(alice).get(URL, {"q": "connection"})

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["id"] for r in results] == [title_hit.pk, body_hit.pk]
    assert results[0]["rank"] > results[1]["rank"]


def test_the_search_page_lists_the_title_match_first(browser_for, alice, make_article):
    with time_machine.travel("2025-03-03 09:00Z", tick=False):
        make_article(title="Connection refused by the database", body="Open port 5432 in the firewall.")
    with time_machine.travel("2025-03-04 09:00Z", tick=False):
        make_article(title="Firewall checklist", body="Check every connection the database accepts.")

    response = browser_for(alice).get("/kb/", {"q": "connection"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 0 < page.index("Connection refused by the database") < page.index("Firewall checklist")


def test_the_snippet_marks_the_word_that_was_found(api, alice, make_article):
    make_article(title="Firewall checklist", body="Check every connection the database accepts.")

    [result] = api(alice).get(URL, {"q": "connection"}).json()["results"]

    assert "<mark>connection</mark>" in result["snippet"]
    assert "Check every" in result["snippet"]


def test_the_snippet_carries_no_html_from_the_body_only_the_marks(api, alice, make_article):
    make_article(title="Firewall checklist", body=HOSTILE_BODY)

    [result] = api(alice).get(URL, {"q": "connection"}).json()["results"]

    snippet = result["snippet"]
    assert "<mark>connection</mark>" in snippet
    assert tags_in(snippet) <= {"<mark>", "</mark>"}
    assert "<script" not in snippet
    assert "<img" not in snippet


def test_the_search_page_shows_the_snippet_of_a_hostile_body_inert(browser_for, alice, make_article):
    make_article(title="Firewall checklist", body=HOSTILE_BODY)

    response = browser_for(alice).get("/kb/", {"q": "connection"})

    assert response.status_code == 200
    [snippet] = re.findall(r'<p class="snippet">(.*?)</p>', response.content.decode(), flags=re.S)
    assert "<mark>connection</mark>" in snippet
    assert tags_in(snippet) <= {"<mark>", "</mark>"}


def test_the_article_itself_keeps_none_of_the_hostile_html(api, alice, make_article):
    article = make_article(title="Firewall checklist", body=HOSTILE_BODY)

    body_html = api(alice).get(f"{URL}{article.pk}/").json()["body_html"]

    assert tags_in(body_html) == {"<p>", "</p>"}
    assert "Check the connection first." in body_html
    assert "alert" not in body_html
