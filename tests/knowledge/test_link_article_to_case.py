"""``POST /api/v1/cases/{number}/articles/``: an engineer marks a case as solved by an
article; the case's history says so. Customers cannot, and outsiders learn nothing."""

from __future__ import annotations

import pytest

from cases.models import CaseEvent
from knowledge.models import CaseArticle


@pytest.fixture
def article(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="Backup stops at 40 percent", body="Raise the backup timeout.")


def url(case) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/cases/{case.number}/articles/"


def history(api, user, case) -> list[dict]:  # type: ignore[no-untyped-def]
    response = api(user).get(f"/api/v1/cases/{case.number}/events/")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_an_engineer_links_an_article_and_the_history_says_so(api, engineer, alice, acme_case, article):
    response = api(engineer).post(url(acme_case), {"article": article.pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["id"] == article.pk
    [event] = history(api, alice, acme_case)
    assert event["note"] == "Solved by article: Backup stops at 40 percent"
    assert event["after"] == {"article": article.pk}
    assert event["actor"]["name"] == "Erin Engineer"
    assert event["channel"] == "api"


def test_linking_the_same_article_twice_records_it_once(api, engineer, acme_case, article):
    client = api(engineer)

    client.post(url(acme_case), {"article": article.pk}, format="json")
    response = client.post(url(acme_case), {"article": article.pk}, format="json")

    assert response.status_code in (200, 201)
    assert CaseArticle.objects.count() == 1
    assert len(history(api, engineer, acme_case)) == 1


def test_an_outsider_learns_nothing_about_the_case(api, oscar, acme_case, article):
    response = api(oscar).post(url(acme_case), {"article": article.pk}, format="json")

    assert response.status_code == 404
    assert not CaseArticle.objects.exists()
    assert not CaseEvent.objects.exists()


def test_the_customer_of_the_case_cannot_link_an_article(api, alice, acme_case, article):
    response = api(alice).post(url(acme_case), {"article": article.pk}, format="json")

    assert response.status_code == 403
    assert not CaseArticle.objects.exists()


def test_a_case_or_an_article_that_does_not_exist_is_404(api, engineer, acme_case, article):
    client = api(engineer)

    assert client.post("/api/v1/cases/C-999999/articles/", {"article": article.pk}, format="json").status_code == 404
    assert client.post(url(acme_case), {"article": 987654}, format="json").status_code == 404
    assert not CaseEvent.objects.exists()


def test_an_article_that_is_not_a_number_is_refused_naming_article(api, engineer, acme_case):
    response = api(engineer).post(url(acme_case), {"article": "backup"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["article"]


def test_linking_a_draft_does_not_show_its_title_to_the_customer(api, engineer, alice, acme_case, make_article):
    draft = make_article(title="Internal runbook: restart the vault", published=False)

    response = api(engineer).post(url(acme_case), {"article": draft.pk}, format="json")

    assert response.status_code == 201
    assert "Internal runbook" in str(history(api, engineer, acme_case))
    assert "Internal runbook" not in str(history(api, alice, acme_case))
