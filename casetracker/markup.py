"""Markdown in, safe HTML out: every user-written text we render goes through here."""

from __future__ import annotations

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]
_converters = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance (loading its extensions) cost more than converting a
    # case description: one per thread, reset after every text.
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(extensions=EXTENSIONS)
    return converter


def render_markdown(text: str) -> str:
    """Render Markdown and sanitize the result (no scripts, no event handlers, no
    ``javascript:`` links; raw HTML in the source is escaped or stripped)."""
    converter = _converter()
    try:
        html = converter.convert(text or "")
    finally:
        converter.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
