"""``GET /api/v1/news/``: the latest published news in the caller's language, English
when there is none in it; ``POST`` is for staff (API.md "Knowledge base and news")."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from knowledge.models import NewsItem

URL = "/api/v1/news/"


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def speaks(user, language: str) -> None:  # type: ignore[no-untyped-def]
    user.language = language
    user.save(update_fields=["language"])


def test_a_customer_gets_the_news_in_their_language(api, alice, make_news):
    speaks(alice, "fr")
    make_news(title="Maintenance samedi", body="Le portail sera **indisponible**.", language="fr")
    make_news(title="Saturday maintenance", language="en")

    response = api(alice).get(URL)

    assert titles(response) == ["Maintenance samedi"]
    [item] = response.json()["results"]
    assert item["language"] == "fr"
    assert item["body_html"] == "<p>Le portail sera <strong>indisponible</strong>.</p>"


def test_a_customer_gets_english_news_when_there_is_none_in_their_language(api, alice, make_news):
    speaks(alice, "ko")
    make_news(title="Saturday maintenance", language="en")
    make_news(title="Maintenance samedi", language="fr")

    assert titles(api(alice).get(URL)) == ["Saturday maintenance"]


def test_the_language_can_be_asked_for(api, alice, make_news):
    make_news(title="Техническое обслуживание", language="ru")
    make_news(title="Saturday maintenance", language="en")

    assert titles(api(alice).get(URL, {"language": "ru"})) == ["Техническое обслуживание"]


def test_the_latest_news_comes_first(api, alice, make_news):
    with time_machine.travel("2025-03-01 09:00Z", tick=False):
        make_news(title="Older")
    with time_machine.travel("2025-03-02 09:00Z", tick=False):
        make_news(title="Newer")

    assert titles(api(alice).get(URL)) == ["Newer", "Older"]


def test_unpublished_news_is_hidden(api, alice, engineer, make_news):
    make_news(title="Draft announcement", published=False)
    make_news(title="Saturday maintenance")

    assert titles(api(alice).get(URL)) == ["Saturday maintenance"]
    assert titles(api(engineer).get(URL)) == ["Saturday maintenance"]


def test_news_dated_in_the_future_appears_only_when_its_time_comes(api, alice, make_news):
    make_news(title="Saturday maintenance")
    make_news(title="Version 8 is out", published_at=timezone.now() + datetime.timedelta(days=1))

    assert titles(api(alice).get(URL)) == ["Saturday maintenance"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert titles(api(alice).get(URL)) == ["Version 8 is out", "Saturday maintenance"]


def test_a_language_with_only_hidden_news_falls_back_to_english(api, alice, make_news):
    speaks(alice, "fr")
    make_news(title="Brouillon", language="fr", published=False)
    make_news(title="Saturday maintenance", language="en")

    assert titles(api(alice).get(URL)) == ["Saturday maintenance"]


def test_staff_post_news(api, engineer, alice):
    response = api(engineer).post(
        URL, {"title": "Saturday maintenance", "body": "The portal will be **down**.", "language": "en"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["body_html"] == "<p>The portal will be <strong>down</strong>.</p>"
    assert response.json()["published"] is True
    assert titles(api(alice).get(URL)) == ["Saturday maintenance"]


def test_a_customer_cannot_post_news(api, alice):
    response = api(alice).post(
        URL, {"title": "Free licences for all", "body": "Really.", "language": "en"}, format="json"
    )

    assert response.status_code == 403
    assert not NewsItem.objects.exists()


def test_news_in_an_unknown_language_is_refused_naming_language(api, engineer):
    response = api(engineer).post(URL, {"title": "Wartung", "body": "Samstag.", "language": "de"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["language"]
    assert not NewsItem.objects.exists()


def test_news_without_a_title_is_refused_naming_title(api, engineer):
    response = api(engineer).post(URL, {"title": " ", "body": "Samstag.", "language": "en"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["title"]


@pytest.mark.parametrize("language", ["de", " en", "EN"])
def test_asking_for_an_unknown_language_is_refused_naming_language(api, alice, language):
    response = api(alice).get(URL, {"language": language})

    assert response.status_code == 400
    assert list(response.json()) == ["language"]


def test_an_empty_language_is_the_callers_own(api, alice, make_news):
    # The schema says so (Schemathesis once read the enum as excluding it).
    make_news(title="Maintenance samedi", language="fr")
    make_news(title="Saturday maintenance", language="en")

    assert titles(api(alice).get(URL, {"language": ""})) == titles(api(alice).get(URL))


def test_the_refusal_of_an_unknown_language_is_in_the_callers_language(browser_for, alice):
    speaks(alice, "fr")

    response = browser_for(alice).get(URL, {"language": "de"})

    assert response.status_code == 400
    assert response.json() == {"language": ["Choisissez l’une des cinq langues\xa0: en, ko, zh-hans, fr, ru."]}
