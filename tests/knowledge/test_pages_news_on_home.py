"""The portal home shows the latest news in the customer's language, and English news
when there is none in it."""

from __future__ import annotations

from django.urls import reverse

from knowledge.services import create_news


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_home_page_shows_news_in_the_users_language(browser_for, alice, engineer):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    create_news(actor=engineer, title="Maintenance samedi", body="Le portail sera **indisponible**.", language="fr")
    create_news(actor=engineer, title="Saturday maintenance", body="The portal will be down.", language="en")

    body = text(browser_for(alice).get(reverse("cases:home")))

    assert "Maintenance samedi" in body
    assert "<strong>indisponible</strong>" in body
    assert "Saturday maintenance" not in body


def test_the_home_page_falls_back_to_english_news(browser_for, alice, engineer):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    create_news(actor=engineer, title="Saturday maintenance", body="The portal will be down.", language="en")

    body = text(browser_for(alice).get(reverse("cases:home")))

    assert "Saturday maintenance" in body
    assert 'lang="en"' in body


def test_unpublished_news_stays_off_the_home_page(browser_for, alice, engineer):
    create_news(actor=engineer, title="Draft announcement", body="Not yet.", language="en", published=False)

    body = text(browser_for(alice).get(reverse("cases:home")))

    assert "Draft announcement" not in body
    assert f'href="{reverse("knowledge:news")}"' in body
