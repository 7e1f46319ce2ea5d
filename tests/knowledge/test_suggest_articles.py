"""While a customer types the title of a case, the knowledge base suggests published
articles: ``GET /api/v1/kb/suggest/?q=`` from three characters on, and the Case Logger's
partial ``/kb/suggest/?title=`` whose links say they came from a suggestion."""

from __future__ import annotations

import re

URL = "/api/v1/kb/suggest/"


def suggested(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


def test_the_api_suggests_the_matching_published_article(api, alice, make_article):
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")
    make_article(title="License keys", body="How to generate one.")

    response = api(alice).get(URL, {"q": "vpn drops"})

    assert suggested(response) == ["VPN drops every hour"]
    [item] = response.json()["results"]
    assert item["language"] == "en"
    assert "snippet" in item


def test_three_characters_are_enough_for_a_suggestion(api, alice, make_article):
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    assert suggested(api(alice).get(URL, {"q": "VPN"})) == ["VPN drops every hour"]


def test_fewer_than_three_characters_suggest_nothing(api, alice, make_article):
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    for q in ("", "V", "VP", "  VP  "):
        assert suggested(api(alice).get(URL, {"q": q})) == [], q


def test_a_title_that_matches_nothing_suggests_nothing(api, alice, make_article):
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    assert suggested(api(alice).get(URL, {"q": "printer toner"})) == []


def test_articles_in_the_customers_language_come_first(api, alice, make_article):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")
    make_article(title="Le VPN se coupe toutes les heures", body="Renouvelez le bail.", language="fr")

    titles = suggested(api(alice).get(URL, {"q": "VPN"}))

    assert titles == ["Le VPN se coupe toutes les heures", "VPN drops every hour"]


def test_at_most_five_articles_are_suggested(api, alice, make_article):
    for n in range(7):
        make_article(title=f"VPN drops, cause {n}", body="Renew the lease.")

    assert len(suggested(api(alice).get(URL, {"q": "VPN drops"}))) == 5


def test_the_partial_links_the_suggestion_saying_where_it_came_from(browser_for, alice, make_article):
    article = make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    response = browser_for(alice).get("/kb/suggest/", {"title": "VPN drops"})

    assert response.status_code == 200
    [(href, title)] = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', response.content.decode())
    assert href == f"/kb/articles/{article.pk}/?from=suggest"
    assert title == "VPN drops every hour"


def test_the_partial_shows_nothing_for_two_characters(browser_for, alice, make_article):
    make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    response = browser_for(alice).get("/kb/suggest/", {"title": "VP"})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""
