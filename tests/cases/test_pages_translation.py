"""Every word a person reads on the case pages is marked for translation (five UI
languages), and the pages answer in the user's language."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.template_strings import unmarked_strings

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "cases"


def test_every_visible_string_on_the_case_pages_is_marked_for_translation():
    paths = sorted(TEMPLATES.glob("*.html"))
    assert len(paths) > 10
    assert unmarked_strings(paths, TEMPLATES) == []


def test_the_case_pages_follow_the_users_language(browser_for, alice, acme_case):
    alice.language = "fr"
    alice.save(update_fields=["language"])

    response = browser_for(alice).get(reverse("cases:detail", args=[acme_case.number]))

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
