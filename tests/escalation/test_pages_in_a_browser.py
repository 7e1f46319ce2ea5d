"""The Enterprise Down page and the Case Logger's suggestions in a real browser: Debian's
Chromium, headless, driven by Playwright.

It proves what the server-side tests cannot: at 360 px the questionnaire fits the screen
in one column with large touch targets; htmx (under our Content Security Policy) swaps
the form with its errors in place and then takes the browser to the case; the title of
the Case Logger fetches suggestions as it is typed. Chromium missing is a failure, not a
skip: run ``bin/ensure-test-tools``.
"""

from __future__ import annotations

import datetime
import os
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from cases.models import Severity
from escalation.models import EnterpriseDownDeclaration
from knowledge.services import create_article

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
TOUCH = 44  # px: the smallest comfortable touch target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(live_server, client, user):  # type: ignore[no-untyped-def]
    """The live server's base URL and a session cookie for ``user`` (made before
    Playwright starts its event loop: Django refuses ORM calls from inside one)."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run bin/ensure-test-tools (apt-get install chromium)"
    client.force_login(user)
    base = f"http://127.0.0.1:{urlsplit(live_server.url).port}"
    return base, [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]


def test_enterprise_down_is_declared_from_a_phone(live_server, client, alice, acme_case):
    base, cookies = signed_in(live_server, client, alice)
    number = acme_case.number
    down_since = (timezone.now() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
            context.add_cookies(cookies)
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))

            response = page.goto(f"{base}/cases/{number}/edown/", wait_until="load")
            assert response is not None and response.status == 200

            # One column that fits the screen, with large touch targets.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            choices = page.locator(".edown-choice")
            assert choices.count() == 5
            for index in range(5):
                box = choices.nth(index).bounding_box()
                assert box is not None and box["height"] >= TOUCH and box["x"] + box["width"] <= PHONE["width"]
            lefts = {round(choices.nth(index).bounding_box()["x"]) for index in range(5)}
            assert len(lefts) == 1, "the categories are one column"
            submit = page.get_by_role("button", name="Declare Enterprise Down")
            assert submit.bounding_box()["height"] >= TOUCH

            # Errors come back in place (htmx, 422), without reloading the page.
            page.evaluate("window.notReloaded = true")
            page.fill("#id_total_users", "10")
            page.fill("#id_affected_users", "20")
            submit.click()
            page.wait_for_selector("#id_affected_users_error")
            assert page.evaluate("window.notReloaded === true")
            assert page.locator("#id_category_error").is_visible()
            assert page.locator("#id_contact_phone_error").is_visible()
            assert page.input_value("#id_total_users") == "10"

            # Tapping anywhere on a category's box chooses it.
            choices.nth(1).tap(position={"x": PHONE["width"] - 40, "y": 8})
            assert page.is_checked("#id_category_1")
            page.fill("#id_affected_users", "9")
            page.fill("#id_actions_taken", "Restarted the server; it stops again after five minutes.")
            page.fill("#id_down_since", down_since)
            page.fill("#id_contact_name", "Carl Contact")
            page.fill("#id_contact_phone", "+1 555 0100")
            page.fill("#id_contact_email", "carl@acme.example")
            page.check("#id_contact_on_site")
            page.check("#id_contact_speaks_english")
            page.get_by_role("button", name="Declare Enterprise Down").click()

            page.wait_for_url(f"{base}/cases/{number}/")
            assert "Enterprise Down has been declared" in page.inner_text("#messages")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            # The one error the console shows is the expected 422 of the first try.
            assert problems == [
                "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
            ]
        finally:
            browser.close()

    acme_case.refresh_from_db()
    assert acme_case.severity == Severity.ENTERPRISE_DOWN
    declaration = EnterpriseDownDeclaration.objects.get(case=acme_case)
    assert (declaration.category, declaration.affected_users, declaration.total_users) == ("server_unresponsive", 9, 10)


def test_the_case_logger_suggests_articles_as_the_title_is_typed(live_server, client, alice, engineer):
    create_article(
        actor=engineer,
        title="Nightly backup stops at 40 percent",
        body="Raise the backup timeout in the vault settings.",
        language="en",
        published=True,
    )
    base, cookies = signed_in(live_server, client, alice)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1024, "height": 800})
            context.add_cookies(cookies)
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))

            page.goto(f"{base}/cases/new/", wait_until="load")
            page.locator("#id_title").press_sequentially("backup stops", delay=30)
            link = page.locator("#kb-suggestions a", has_text="Nightly backup stops at 40 percent")
            link.wait_for(timeout=5_000)
            assert problems == []
        finally:
            browser.close()
