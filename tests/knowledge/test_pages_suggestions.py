"""The Case Logger suggests knowledge-base articles as the title is typed: the title
input asks /kb/suggest/ through htmx, which answers with published articles only."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from knowledge.services import create_article


class Inputs(HTMLParser):
    """The attributes of every <input> and <div> by name / id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict[str, str]] = {}
        self.divs: dict[str, dict[str, str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input" and "name" in attributes:
            self.inputs[attributes["name"]] = attributes
        if tag == "div" and "id" in attributes:
            self.divs[attributes["id"]] = attributes


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_title_of_the_case_logger_asks_for_suggestions_as_it_is_typed(browser_for, alice):
    page = Inputs(browser_for(alice).get(reverse("cases:log")).content.decode())

    title = page.inputs["title"]
    assert title["hx-get"] == reverse("knowledge:suggest") == "/kb/suggest/"
    assert title["hx-trigger"] == "input changed delay:400ms, keyup changed delay:400ms"
    assert title["hx-target"] == "#kb-suggestions"
    assert title["hx-include"] == "this"
    assert page.divs["kb-suggestions"]["aria-live"] == "polite"


def test_the_suggestions_show_a_published_article_but_never_a_draft(browser_for, alice, engineer):
    create_article(
        actor=engineer,
        title="Nightly backup stops at 40 percent",
        body="Raise the backup timeout in the vault settings.",
        language="en",
        published=True,
    )
    create_article(
        actor=engineer,
        title="Backup stops: internal draft",
        body="Not ready for customers.",
        language="en",
        published=False,
    )

    response = browser_for(alice).get(reverse("knowledge:suggest"), {"title": "backup stops"})

    assert response.status_code == 200
    body = text(response)
    assert "Nightly backup stops at 40 percent" in body
    assert "internal draft" not in body


def test_a_title_that_matches_nothing_suggests_nothing(browser_for, alice, engineer):
    create_article(actor=engineer, title="License keys", body="How to generate one.", language="en", published=True)

    response = browser_for(alice).get(reverse("knowledge:suggest"), {"title": "printer toner"})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_without_javascript_the_case_is_logged_as_usual(browser_for, alice):
    response = browser_for(alice).post(
        reverse("cases:log"),
        {
            "request_type": "incident",
            "severity": "high",
            "title": "Backup stops",
            "description": "Since the upgrade.",
        },
    )

    assert response.status_code == 302
