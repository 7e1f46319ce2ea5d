"""Every word a person reads on the escalation pages is marked for translation, and the
pages answer in the user's language."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.template_strings import unmarked_strings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
OWNED = ["escalation/*.html", "cases/_customer_actions_extra.html", "cases/_staff_actions_extra.html"]


def test_every_visible_string_on_the_escalation_pages_is_marked_for_translation():
    paths = sorted(path for pattern in OWNED for path in TEMPLATES.glob(pattern))
    assert len(paths) > 8
    assert unmarked_strings(paths, TEMPLATES) == []


def test_the_enterprise_down_page_follows_the_users_language(browser_for, alice, acme_case):
    alice.language = "fr"
    alice.save(update_fields=["language"])

    response = browser_for(alice).get(reverse("escalation:edown", args=[acme_case.number]))

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
