"""Votes on "Was this helpful?": one per person and article; changing one's mind moves
the vote from one count to the other. Through the API and the article page's form."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory


@pytest.fixture
def article(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")


def vote(api, user, article, helpful):  # type: ignore[no-untyped-def]
    response = api(user).post(f"/api/v1/kb/articles/{article.pk}/vote/", {"helpful": helpful}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["helpful_yes"], response.json()["helpful_no"]


def counts(article) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    article.refresh_from_db()
    return article.helpful_yes, article.helpful_no


def test_a_vote_is_counted(api, alice, article):
    assert vote(api, alice, article, True) == (1, 0)


def test_voting_twice_the_same_way_counts_once(api, alice, article):
    vote(api, alice, article, True)

    assert vote(api, alice, article, True) == (1, 0)
    assert counts(article) == (1, 0)


def test_changing_ones_mind_moves_the_vote(api, alice, article):
    vote(api, alice, article, True)

    assert vote(api, alice, article, False) == (0, 1)
    assert vote(api, alice, article, True) == (1, 0)


def test_each_person_has_a_vote(api, alice, oscar, engineer, article):
    vote(api, alice, article, True)
    vote(api, oscar, article, False)

    assert vote(api, engineer, article, True) == (2, 1)


def test_a_vote_that_is_not_yes_or_no_is_refused_naming_helpful(api, alice, article):
    response = api(alice).post(f"/api/v1/kb/articles/{article.pk}/vote/", {"helpful": "maybe"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["helpful"]
    assert counts(article) == (0, 0)


def test_voting_on_an_article_that_does_not_exist_is_404(api, alice):
    response = api(alice).post("/api/v1/kb/articles/987654/vote/", {"helpful": True}, format="json")

    assert response.status_code == 404


def test_the_article_page_form_counts_a_vote_and_thanks(browser_for, alice, article):
    browser = browser_for(alice)

    response = browser.post(f"/kb/articles/{article.pk}/vote/", {"helpful": "yes"}, follow=True)

    assert response.redirect_chain == [(f"/kb/articles/{article.pk}/", 302)]
    page = " ".join(response.content.decode().split())
    assert "Thank you for your feedback." in page
    assert "Yes (1)" in page
    assert "No (0)" in page


def test_changing_ones_mind_on_the_page_moves_the_vote(browser_for, alice, acme, article):
    bob = CustomerFactory(organization=acme)
    browser_for(bob).post(f"/kb/articles/{article.pk}/vote/", {"helpful": "yes"})
    browser = browser_for(alice)
    browser.post(f"/kb/articles/{article.pk}/vote/", {"helpful": "yes"})

    browser.post(f"/kb/articles/{article.pk}/vote/", {"helpful": "no"})
    browser.post(f"/kb/articles/{article.pk}/vote/", {"helpful": "no"})

    assert counts(article) == (1, 1)


def test_the_htmx_form_answers_with_the_new_counts(browser_for, alice, article):
    response = browser_for(alice).post(
        f"/kb/articles/{article.pk}/vote/", {"helpful": "no"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    fragment = " ".join(response.content.decode().split())
    assert "Thank you for your feedback." in fragment
    assert "Yes (0)" in fragment
    assert "No (1)" in fragment
    assert "<html" not in fragment


def test_an_answer_that_is_not_yes_or_no_changes_nothing_on_the_page(browser_for, alice, article):
    response = browser_for(alice).post(f"/kb/articles/{article.pk}/vote/", {"helpful": "maybe"}, follow=True)

    assert response.status_code == 200
    assert "Answer yes or no." in response.content.decode()
    assert counts(article) == (0, 0)
