"""Articles and news are written in Markdown; whatever HTML an author pastes in, readers
get no script, no ``javascript:`` link and no event handler — in the API's ``body_html``,
on the article page, in the editor's preview and on the news page."""

from __future__ import annotations

import re

import pytest

from knowledge.models import Article

HOSTILE_MARKDOWN = """Restart the **backup agent**.

<script>alert("kb-script")</script>

[Open the console](javascript:kb_link())

<img src="x" onerror="alert('kb-img')">

<a href="https://example.com/docs" onclick="alert('kb-click')">Docs</a> and <b onmouseover="alert('kb-hover')">bold</b>
"""
PAYLOADS = ("kb-script", "kb_link", "kb-img", "kb-click", "kb-hover")


def assert_inert(html: str, *, page: bool = False) -> None:
    """No script, no javascript: link, no event handler. A whole page keeps the
    application's own scripts, which are files under /static/ with no inline code."""
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert html.count("<script") == len(scripts)
    for attributes, code in scripts:
        assert page and code == "" and 'src="/static/' in attributes, attributes + code
    assert "javascript:" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), "an event handler survived"
    for payload in PAYLOADS:
        assert payload not in html


def assert_kept(html: str) -> None:
    """What the author meant survives the cleaning."""
    assert "<strong>backup agent</strong>" in html
    assert '<a href="https://example.com/docs" rel="noopener noreferrer nofollow">Docs</a>' in html
    assert "<b>bold</b>" in html
    assert ">Open the console</a>" in html


@pytest.fixture
def hostile(make_article):  # type: ignore[no-untyped-def]
    return make_article(title="Restarting the agent", body=HOSTILE_MARKDOWN)


def test_an_article_posted_through_the_api_is_stored_inert(api, engineer):
    response = api(engineer).post(
        "/api/v1/kb/articles/",
        {"title": "Restarting the agent", "body": HOSTILE_MARKDOWN, "language": "en", "published": True},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert_inert(response.json()["body_html"])
    assert_kept(response.json()["body_html"])
    assert response.json()["body"] == HOSTILE_MARKDOWN.strip()


def test_a_customer_reading_the_article_through_the_api_gets_it_inert(api, alice, hostile):
    body_html = api(alice).get(f"/api/v1/kb/articles/{hostile.pk}/").json()["body_html"]

    assert_inert(body_html)
    assert_kept(body_html)


def test_the_article_page_carries_none_of_the_script(browser_for, alice, hostile):
    response = browser_for(alice).get(f"/kb/articles/{hostile.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert_inert(page, page=True)
    assert "<strong>backup agent</strong>" in page


def test_a_title_with_html_is_shown_as_text(browser_for, alice, make_article):
    article = make_article(title='<script>alert("kb-title")</script> Agent restart', body="Restart it.")

    for url in (f"/kb/articles/{article.pk}/", "/kb/?q=agent", "/kb/suggest/?title=agent+restart"):
        page = browser_for(alice).get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;kb-title&quot;)&lt;/script&gt; Agent restart" in page, url
        assert '<script>alert("kb-title")' not in page, url


def test_an_article_written_on_the_page_is_stored_inert(browser_for, engineer):
    response = browser_for(engineer).post(
        "/kb/new/", {"title": "Restarting the agent", "body": HOSTILE_MARKDOWN, "language": "en", "published": "on"}
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert_inert(article.body_html)
    assert_kept(article.body_html)


def test_the_editors_preview_is_inert(browser_for, engineer):
    response = browser_for(engineer).post("/kb/preview/", {"body": HOSTILE_MARKDOWN})

    assert response.status_code == 200
    assert_inert(response.content.decode())
    assert_kept(response.content.decode())


def test_the_preview_of_the_edit_form_is_inert(browser_for, engineer, hostile):
    response = browser_for(engineer).post(
        f"/kb/articles/{hostile.pk}/edit/",
        {"title": "Restarting the agent", "body": HOSTILE_MARKDOWN, "language": "en", "preview": "1"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    # The form gives the Markdown back, escaped, in the textarea; the preview is clean.
    [preview] = re.findall(r'<div class="prose">(.*?)</div>', page, flags=re.S)
    assert_inert(preview)
    assert_kept(preview)
    assert "&lt;script&gt;" in page


def test_news_is_stored_and_shown_inert(api, browser_for, engineer, alice):
    response = api(engineer).post(
        "/api/v1/news/", {"title": "Maintenance", "body": HOSTILE_MARKDOWN, "language": "en"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert_inert(response.json()["body_html"])
    page = browser_for(alice).get("/news/").content.decode()
    assert "<strong>backup agent</strong>" in page
    assert_inert(page, page=True)
