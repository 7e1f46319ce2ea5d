"""Customers never see an article whose ``published`` is false: not in the list, not in
a search, not by its address, not among the suggestions; staff see it everywhere
(API.md "Knowledge base and news")."""

from __future__ import annotations

import pytest

URL = "/api/v1/kb/articles/"


@pytest.fixture
def published(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="Backup stops at 40 percent", body="Raise the backup timeout.")


@pytest.fixture
def draft(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="Backup stops: internal runbook", body="Restart the backup agent.", published=False)


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_a_customer_does_not_see_a_draft_in_the_list(api, alice, published, draft):
    assert ids(api(alice).get(URL)) == [published.pk]


def test_a_customer_does_not_find_a_draft_by_searching(api, alice, published, draft):
    assert ids(api(alice).get(URL, {"q": "backup"})) == [published.pk]


def test_a_customer_cannot_open_a_draft_by_its_address(api, alice, draft):
    response = api(alice).get(f"{URL}{draft.pk}/")

    assert response.status_code == 404
    assert "runbook" not in response.content.decode()


def test_a_customer_gets_no_draft_among_the_suggestions(api, alice, published, draft):
    response = api(alice).get("/api/v1/kb/suggest/", {"q": "backup stops"})

    assert ids(response) == [published.pk]


def test_a_customer_cannot_vote_on_a_draft(api, alice, draft):
    response = api(alice).post(f"{URL}{draft.pk}/vote/", {"helpful": True}, format="json")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert (draft.helpful_yes, draft.helpful_no) == (0, 0)


def test_the_pages_hide_a_draft_from_a_customer(browser_for, alice, published, draft):
    browser = browser_for(alice)

    assert "internal runbook" not in browser.get("/kb/").content.decode()
    assert "internal runbook" not in browser.get("/kb/", {"q": "backup"}).content.decode()
    assert "internal runbook" not in browser.get("/kb/suggest/", {"title": "backup stops"}).content.decode()
    assert browser.get(f"/kb/articles/{draft.pk}/").status_code == 404


def test_staff_see_drafts_in_the_list_the_search_and_by_address(api, engineer, published, draft):
    client = api(engineer)

    assert set(ids(client.get(URL))) == {published.pk, draft.pk}
    assert set(ids(client.get(URL, {"q": "backup"}))) == {published.pk, draft.pk}
    response = client.get(f"{URL}{draft.pk}/")
    assert response.status_code == 200
    assert response.json()["published"] is False


def test_staff_see_a_draft_marked_as_such_on_its_page(browser_for, engineer, draft):
    response = browser_for(engineer).get(f"/kb/articles/{draft.pk}/")

    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "Backup stops: internal runbook" in page
    assert "Draft" in page
