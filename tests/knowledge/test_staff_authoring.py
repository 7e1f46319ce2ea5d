"""Staff write the knowledge base: ``POST /api/v1/kb/articles/`` and ``PATCH …/{id}/``
(and the /kb/new/ and edit pages); customers cannot. An edited article is found by its
new words at once."""

from __future__ import annotations

import pytest

from knowledge.models import Article

URL = "/api/v1/kb/articles/"
VALID = {
    "title": "VPN drops every hour",
    "body": "Renew the **lease** on the gateway.",
    "language": "en",
    "product": "Gateway",
    "tags": ["vpn", "network"],
    "published": True,
}


def found(api, user, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api(user).get(URL, {"q": q})
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def test_staff_post_an_article(api, engineer, alice):
    response = api(engineer).post(URL, VALID, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "VPN drops every hour"
    assert body["body_html"] == "<p>Renew the <strong>lease</strong> on the gateway.</p>"
    assert body["product"] == "Gateway"
    assert body["tags"] == ["vpn", "network"]
    assert body["author"]["name"] == "Erin Engineer"
    assert found(api, alice, "lease") == ["VPN drops every hour"]


def test_a_new_article_is_a_draft_unless_published(api, engineer, alice):
    unpublished = {key: value for key, value in VALID.items() if key != "published"}

    response = api(engineer).post(URL, unpublished, format="json")

    assert response.status_code == 201
    assert response.json()["published"] is False
    assert found(api, alice, "lease") == []


def test_a_customer_cannot_post_an_article(api, alice):
    response = api(alice).post(URL, VALID, format="json")

    assert response.status_code == 403
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": ""}, "body"),
        ({"language": "de"}, "language"),
    ],
)
def test_an_incomplete_article_is_refused_naming_the_field(api, engineer, change, field):
    data = {key: value for key, value in {**VALID, **change}.items() if value is not None}

    response = api(engineer).post(URL, data, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Article.objects.exists()


def test_patching_the_title_finds_the_article_by_its_new_words(api, engineer, alice, make_article):
    article = make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    response = api(engineer).patch(f"{URL}{article.pk}/", {"title": "Tunnel disconnects hourly"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Tunnel disconnects hourly"
    assert found(api, alice, "tunnel") == ["Tunnel disconnects hourly"]
    assert found(api, alice, "drops") == []


@pytest.mark.postgres
def test_patching_the_title_reindexes_it_with_stemming(api, engineer, alice, make_article):
    article = make_article(title="VPN drops every hour", body="Renew the lease on the gateway.")

    api(engineer).patch(f"{URL}{article.pk}/", {"title": "Tunnel disconnects hourly"}, format="json")

    assert found(api, alice, "disconnecting tunnels") == ["Tunnel disconnects hourly"]


def test_patching_the_body_renders_it_again(api, engineer, make_article):
    article = make_article(body="Old text.")

    response = api(engineer).patch(f"{URL}{article.pk}/", {"body": "New *text*."}, format="json")

    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>New <em>text</em>.</p>"


def test_publishing_a_draft_shows_it_to_customers(api, engineer, alice, make_article):
    draft = make_article(title="VPN drops every hour", published=False)

    response = api(engineer).patch(f"{URL}{draft.pk}/", {"published": True}, format="json")

    assert response.status_code == 200
    assert api(alice).get(f"{URL}{draft.pk}/").status_code == 200


def test_a_customer_cannot_patch_an_article(api, alice, make_article):
    article = make_article(title="VPN drops every hour")

    response = api(alice).patch(f"{URL}{article.pk}/", {"title": "Hacked"}, format="json")

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "VPN drops every hour"


def test_a_customer_patching_a_draft_learns_nothing(api, alice, make_article):
    draft = make_article(published=False)

    assert api(alice).patch(f"{URL}{draft.pk}/", {"title": "Hacked"}, format="json").status_code == 404


def test_a_patch_with_a_blank_title_is_refused_naming_title(api, engineer, make_article):
    article = make_article(title="VPN drops every hour")

    response = api(engineer).patch(f"{URL}{article.pk}/", {"title": " "}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["title"]


def test_staff_write_an_article_on_the_page(browser_for, engineer):
    response = browser_for(engineer).post(
        "/kb/new/",
        {"title": "VPN drops every hour", "body": "Renew the lease.", "language": "en", "tags": "vpn, network"},
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kb/articles/{article.pk}/"
    assert (article.published, article.tag_list, article.author) == (False, ["vpn", "network"], engineer)


def test_staff_edit_an_article_on_the_page(browser_for, api, engineer, alice, make_article):
    article = make_article(title="VPN drops every hour")

    response = browser_for(engineer).post(
        f"/kb/articles/{article.pk}/edit/",
        {"title": "Tunnel disconnects hourly", "body": "Renew the lease.", "language": "en", "published": "on"},
    )

    assert response.status_code == 302
    assert found(api, alice, "tunnel") == ["Tunnel disconnects hourly"]


def test_the_page_refuses_an_article_without_a_title(browser_for, engineer):
    response = browser_for(engineer).post("/kb/new/", {"title": "", "body": "Renew the lease.", "language": "en"})

    assert response.status_code == 400
    assert not Article.objects.exists()


def test_customers_cannot_open_the_authoring_pages(browser_for, alice, make_article):
    article = make_article()
    browser = browser_for(alice)

    assert browser.get("/kb/new/").status_code == 403
    assert browser.post("/kb/new/", {"title": "x", "body": "y", "language": "en"}).status_code == 403
    assert browser.get(f"/kb/articles/{article.pk}/edit/").status_code == 403
    assert browser.post("/kb/preview/", {"body": "y"}).status_code == 403
    assert Article.objects.count() == 1
