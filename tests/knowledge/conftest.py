"""Fixtures for the knowledge-base and news tests (the named people come from
tests/conftest.py).

Articles and news are written the way staff write them, through the services, so that
they are rendered, sanitized and indexed for search exactly as in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cases.models import Case
from knowledge.models import Article, NewsItem
from knowledge.services import create_article, create_news
from tests.factories import CaseFactory


@pytest.fixture
def make_article(engineer) -> Callable[..., Article]:  # type: ignore[no-untyped-def]
    """``make_article(title=…, body=…, **fields)``: an article written by Erin the
    engineer; English and published unless told otherwise."""

    def build(
        title: str = "Nightly backup stops at 40 percent",
        body: str = "Raise the backup timeout in the vault settings.",
        **fields: Any,
    ) -> Article:
        fields.setdefault("language", "en")
        fields.setdefault("published", True)
        return create_article(actor=engineer, title=title, body=body, **fields)

    return build


@pytest.fixture
def make_news(engineer) -> Callable[..., NewsItem]:  # type: ignore[no-untyped-def]
    """``make_news(title=…, **fields)``: a news item posted by Erin; English and
    published now unless told otherwise."""

    def build(title: str = "Saturday maintenance", body: str = "The portal will be down.", **fields: Any) -> NewsItem:
        fields.setdefault("language", "en")
        return create_news(actor=engineer, title=title, body=body, **fields)

    return build


@pytest.fixture
def acme_case(acme, alice) -> Case:  # type: ignore[no-untyped-def]
    """An open case of Acme, requested by Alice."""
    return CaseFactory(organization=acme, requester=alice, title="Backups fail every night", status="open")
