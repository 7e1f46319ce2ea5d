"""Every main page, rendered in each UI language, shows no English source string.

The check takes the catalogue's own source strings (those whose translation differs from
the English, of two words or more) and looks for them in the page's visible text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest

from accounts.models import User
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
LOCALES = {"ko": "ko", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru"}
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def english_sources(code: str) -> list[str]:
    po = polib.pofile(str(ROOT / "locale" / LOCALES[code] / "LC_MESSAGES" / "django.po"))
    sources = []
    for entry in po.translated_entries():
        text = entry.msgid
        if "%" in text or "{" in text or "<" in text or "\n" in text:
            continue  # interpolated or marked-up strings are checked through their pieces
        if len(text.split()) >= 2 and entry.msgstr and entry.msgstr != text:
            sources.append(text)
    return sorted(set(sources), key=len, reverse=True)


def visible_text(content: bytes) -> str:
    text = _TAGS.sub("\n", content.decode())
    return " ".join(html.unescape(text).split())


CUSTOMER_PAGES = ["/", "/cases/new/", "/cases/", "/cases/{number}/", "/kb/", "/news/", "/accounts/profile/"]
STAFF_PAGES = ["/staff/", "/staff/cases/{number}/", "/staff/phone/", "/kb/", "/accounts/profile/"]


@pytest.mark.parametrize("code", LOCALES)
def test_no_english_is_left_on_the_main_pages(code, client, alice, engineer, acme):
    case = CaseFactory(organization=acme, requester=alice, title="Zz", description="Zz")
    sources = english_sources(code)
    assert sources, "the catalogue has no translated entries"
    leftovers: dict[str, list[str]] = {}
    for person, pages in ((alice, CUSTOMER_PAGES), (engineer, STAFF_PAGES)):
        User.objects.filter(pk=person.pk).update(language=code)
        client.force_login(person)
        for page in pages:
            url = page.format(number=case.number)
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content)
            found = [source for source in sources if source in text]
            if found:
                leftovers[url] = found[:5]
        client.logout()
    assert not leftovers, f"English left on pages in {code}: {leftovers}"
