"""Every word a person reads on the escalation pages is marked for translation, and the
pages answer in the user's language."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
OWNED = ["escalation/*.html", "cases/_customer_actions_extra.html", "cases/_staff_actions_extra.html"]
NOISE = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
VISIBLE_ATTRIBUTE = re.compile(r"\b(?:aria-label|title|placeholder|alt)\s*=\s*\"([^\"]*)\"")


def test_every_visible_string_on_the_escalation_pages_is_marked_for_translation():
    paths = sorted(path for pattern in OWNED for path in TEMPLATES.glob(pattern))
    assert len(paths) > 8
    unmarked: list[str] = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        attributes = VISIBLE_ATTRIBUTE.findall(source)
        for noise in NOISE:
            source = noise.sub(" ", source)
            attributes = [noise.sub(" ", value) for value in attributes]
        leftovers = re.sub(r"<[^>]*>", " ", source)
        for chunk in [*leftovers.split("\n"), *attributes]:
            if re.search(r"[^\W\d_]{2,}", chunk):
                unmarked.append(f"{path.relative_to(TEMPLATES)}: {chunk.strip()}")
    assert unmarked == []


def test_the_enterprise_down_page_follows_the_users_language(browser_for, alice, acme_case):
    alice.language = "fr"
    alice.save(update_fields=["language"])

    response = browser_for(alice).get(reverse("escalation:edown", args=[acme_case.number]))

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
