"""The figures page in a real browser: Debian's Chromium, headless, driven by Playwright.

It proves what the server-side tests cannot: the vendored Chart.js loads, figures.js
reads the JSON and draws every chart, nothing fails in the console and nothing is
fetched from anywhere but our own server. Chromium missing is a failure, not a skip:
run ``bin/ensure-test-tools``.
"""

from __future__ import annotations

import datetime
import os
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from accounts.models import Tier
from cases.models import Severity
from escalation.models import Level

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHARTS = 5

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a_month_of_work(make_case, escalate, change_tier, globex, oscar):  # type: ignore[no-untyped-def]
    now = timezone.now()
    severities = list(Severity.values)
    for i in range(40):
        created = now - datetime.timedelta(days=27 - i % 28, hours=i % 9)
        case = make_case(
            created=created,
            closed=created + datetime.timedelta(days=1 + i % 4) if i % 3 else None,
            severity=severities[i % 5],
            first_response_due_at=created + datetime.timedelta(hours=2),
            first_response_at=created + datetime.timedelta(minutes=25 + 11 * (i % 13)) if i % 5 else None,
            **({"organization": globex, "requester": oscar} if i % 6 == 0 else {}),
        )
        if i % 4 == 0:
            change_tier(case, Tier.L2)
        if i % 5 == 0:
            escalate(case, Level.M1, created + datetime.timedelta(hours=3))
        if i % 10 == 0:
            escalate(case, Level.M2, created + datetime.timedelta(hours=6))


def test_the_figures_page_draws_every_chart_from_our_own_server(
    live_server, client, manager, a_month_of_work, tmp_path
):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run bin/ensure-test-tools (apt-get install chromium)"
    # Everything that touches the database happens before Playwright starts its event
    # loop in this thread (Django refuses ORM calls from inside one).
    client.force_login(manager)
    session = client.cookies["sessionid"].value
    port = urlsplit(live_server.url).port
    base = f"http://127.0.0.1:{port}"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            page = context.new_page()
            requests, problems = [], []
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))

            response = page.goto(f"{base}/staff/figures/?period=30", wait_until="load")
            assert response is not None and response.status == 200
            page.wait_for_function(
                f"window.Chart && Object.keys(Chart.instances).length >= {CHARTS}"
                " && document.documentElement.dataset.figuresReady === 'true'",
                timeout=15_000,
            )

            painted = page.evaluate(
                """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
                    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
                    let inked = 0;
                    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { inked++; } }
                    return [canvas.dataset.chart, canvas.width, canvas.height, inked];
                })"""
            )
            assert [key for key, *_ in painted] == ["backlog", "sla", "escalations", "l1", "first-response"]
            for key, width, height, inked in painted:
                assert width > 100 and height > 100, key
                assert inked > 500, f"the {key} chart was not drawn"
            # once drawn, the tables fold away behind "Show the numbers"
            assert page.locator("details.figure-table[open]").count() == 0
            assert page.locator("details.figure-table").count() == CHARTS

            page.screenshot(path=str(tmp_path / "figures.png"), full_page=True)

            # at phone width nothing overflows sideways
            page.set_viewport_size({"width": 360, "height": 800})
            page.wait_for_timeout(200)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.screenshot(path=str(tmp_path / "figures-360.png"), full_page=False)

            assert problems == []
            hosts = {urlsplit(url).hostname for url in requests if not url.startswith("data:")}
            assert hosts == {"127.0.0.1"}
            assert any(url.endswith("/static/vendor/chartjs/chart.umd.min.js") for url in requests)
            assert (tmp_path / "figures.png").stat().st_size > 10_000
        finally:
            browser.close()
