"""Stored and reflected XSS, proved in a real browser: Debian's Chromium, headless,
driven by Playwright.

Script payloads go everywhere a user can write: case titles, descriptions, products,
messages and internal notes, people's and organizations' names, attachment names,
knowledge-base articles (Markdown), news, escalation reasons, feedback, Enterprise Down
answers, time notes, and the search boxes (reflected). Then every page that shows them is
rendered — the customer's home, tracker, case page, knowledge base and news; the staff
dashboard, workspace, phone desk, escalations and the managers' figures — and every
HTML e-mail the outbox holds (``page.set_content``).

Each page is rendered twice: once as shipped, and once with the Content Security Policy
switched off (``bypass_csp``), so the escaping itself is proved, not only the CSP. A
payload "runs" if a dialog opens, if ``window.__xss`` gets set, or if the browser asks
for anything outside the live server (payloads call ``http://127.0.0.1:9/beacon``; every
other request is routed, counted and refused). The DOM is searched too: no event-handler
attribute, no foreign script, no ``javascript:`` link, no frame, no evaluated template.
Every page must carry a CSP whose scripts are never ``unsafe-inline``.

Chromium missing is a failure, not a skip: run ``bin/ensure-test-tools``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Plan
from cases import services as case_services
from cases.models import Case
from escalation import services as escalation_services
from knowledge.services import create_article, create_news
from notifications.models import OutboxEmail
from tests.factories import CustomerFactory, OrganizationFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BEACON = "http://127.0.0.1:9/beacon"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One line each, for the places that hold one line (titles, names); every one of them
# sets the marker, opens a dialog or calls the beacon if it ever runs.
TITLE = (
    "\"'><script>window.__xss=1;fetch('" + BEACON + '\')</script><img src=x onerror="window.__xss=2">'
    "<svg onload=alert(3)>{{7777*7777}}"
)
NAME = '"><img src=x onerror=alert(4)><script>window.__xss=5</script>{{7777*7777}}'
SHORT = '"><svg onload=alert(6)>'  # fits 50 characters (a version)
FILE_NAME = '"><img src=x onerror=alert(7)>.html'
# Markdown bodies: raw HTML, hostile links and images, template syntax.
BODY = "\n".join(
    [
        "Our backups fail. <script>window.__xss=8;fetch('" + BEACON + "')</script>",
        '<img src=x onerror="window.__xss=9">',
        '<svg onload="alert(10)"></svg>',
        "[click me](javascript:window.__xss=11)",
        "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=)",
        "![pixel](" + BEACON + ".png)",
        '![x](x" onerror="alert(13))',
        '<a href="javascript:alert(14)">plain link</a>',
        '<iframe src="' + BEACON + '"></iframe>',
        '<meta http-equiv="refresh" content="0;url=' + BEACON + '">',
        "<style>body{background:url(" + BEACON + ".css)}</style>",
        '<form action="' + BEACON + '"><button formaction="javascript:alert(15)">go</button></form>',
        '<details open ontoggle="alert(16)"><summary>x</summary></details>',
        "{{7777*7777}} {% debug %} ${7777*7777} #{7777*7777}",
        "",
        "[ref link][r]",
        "",
        "[r]: javascript:alert(17)",
    ]
)
EVALUATED = str(7777 * 7777)

# Run in the page: what was injected into the DOM (empty: nothing).
FIND_INJECTIONS = r"""
() => {
  const bad = [];
  const own = location.origin + '/static/';
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) bad.push(`${tag}[${name}]`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(name)
          && /^\s*(javascript|vbscript|data:text\/html)/i.test(attr.value)) bad.push(`${tag}[${name}=${attr.value.slice(0, 30)}]`);
    }
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet'].includes(tag)) bad.push(tag);
    if (tag === 'script' && el.type !== 'application/json' && !(el.src && el.src.startsWith(own)))
      bad.push('script:' + (el.src || el.textContent.slice(0, 40)));
    if (tag === 'meta' && (el.httpEquiv || '').toLowerCase() === 'refresh') bad.push('meta refresh');
    if (tag === 'img' && el.getAttribute('src') === 'x') bad.push('img src=x');
    if (tag === 'style' && el.textContent.includes('127.0.0.1:9')) bad.push('style');
  }
  if (document.documentElement.innerHTML.includes('__EVALUATED__')) bad.push('template evaluated');
  if (window.__xss !== undefined) bad.push('window.__xss=' + window.__xss);
  return bad;
}
""".replace("__EVALUATED__", EVALUATED)


@dataclass
class Watch:
    """What the browser did that it must not: dialogs, foreign requests, injections."""

    base: str
    dialogs: list[str] = field(default_factory=list)
    beacons: list[str] = field(default_factory=list)
    injections: list[str] = field(default_factory=list)
    csp_problems: list[str] = field(default_factory=list)
    renders: int = 0

    def route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.beacons.append(url)
            route.abort()

    def dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def executions(self) -> int:
        return len(self.dialogs) + len([i for i in self.injections if "__xss" in i])


def script_src_problems(url: str, policy: str | None) -> list[str]:
    if not policy:
        return [f"{url}: no Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        return [f"{url}: CSP without script-src or default-src"]
    unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts)
    return [f"{url}: script-src allows {sorted(unsafe)}"] if unsafe else []


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the module. Playwright runs an event loop in this thread, so the
    ORM's async guard is lifted while it lives (the tests call the ORM between pages)."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run bin/ensure-test-tools (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def base_url(live_server) -> str:  # type: ignore[no-untyped-def]
    return f"http://127.0.0.1:{urlsplit(live_server.url).port}"


def session_cookie(base: str, user) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]


def new_context(browser, watch: Watch, *, bypass_csp: bool, user=None):  # type: ignore[no-untyped-def]
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
    context.route("**/*", watch.route)
    if user is not None:
        context.add_cookies(session_cookie(watch.base, user))
    return context


def render(page, watch: Watch, url: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(watch.base + url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_timeout(60)  # an onerror handler fires a moment after load
    watch.renders += 1
    watch.csp_problems += script_src_problems(url, response.headers.get("content-security-policy"))
    watch.injections += [f"{url}: {found}" for found in page.evaluate(FIND_INJECTIONS)]


@pytest.fixture
def hostile_world(acme, alice, engineer, manager, director):  # type: ignore[no-untyped-def]
    """Everything a user can write, written with payloads, through the services."""
    evil = OrganizationFactory(
        name="Evil " + TITLE, customer_number="EVIL-1", plan=Plan.ENTERPRISE, production=True, country="US"
    )
    eve = CustomerFactory(email="eve@evil.example", name=NAME, organization=evil)
    for person in (engineer, manager):
        person.name = NAME
        person.save(update_fields=["name"])
    upload = SimpleUploadedFile(FILE_NAME, b"<script>alert(18)</script>", content_type="text/html")
    case = case_services.log_case(
        actor=eve,
        title=TITLE,
        description=BODY,
        severity="high",
        request_type="incident",
        product=SHORT + " product",
        version=SHORT,
        files=[upload],
    )
    other = case_services.log_case(
        actor=eve, title=NAME, description=BODY, severity="low", request_type="feature_request"
    )
    case_services.assign_case(case=case, actor=manager, assignee=engineer)
    case_services.add_message(
        case=case,
        author=engineer,
        body=BODY,
        files=[SimpleUploadedFile(FILE_NAME, b"x", content_type="image/svg+xml")],
    )
    case_services.add_message(case=case, author=engineer, body=BODY, internal=True)
    case_services.add_message(case=case, author=eve, body=BODY)
    case_services.log_time(case=case, actor=engineer, minutes=30, billable=True, note=TITLE)
    escalation_services.escalate_case(case=case, actor=eve, reason=BODY)
    escalation_services.submit_feedback(case=other, author=eve, message=BODY, escalate=False)
    escalation_services.declare_enterprise_down(
        case=case,
        actor=eve,
        category="server_unresponsive",
        total_users=10,
        affected_users=9,
        actions_taken=BODY,
        down_since=timezone.now() - datetime.timedelta(hours=1),
        contact={
            "name": NAME,
            "phone": "+1 555 0100",
            "email": "carl@evil.example",
            "on_site": True,
            "speaks_english": True,
        },
    )
    article = create_article(
        actor=engineer, title=TITLE, body="click " + BODY, language="en", product=SHORT, tags=NAME, published=True
    )
    create_news(actor=engineer, title=TITLE, body=BODY, language="en")
    return {"evil": evil, "eve": eve, "case": case, "other": other, "article": article}


def test_payloads_never_run_on_any_page_or_in_any_email(
    chromium, live_server, hostile_world, engineer, manager, figure
):
    world = hostile_world
    base = base_url(live_server)
    watch = Watch(base)
    number, other, article = world["case"].number, world["other"].number, world["article"].pk
    q = quote(TITLE)
    pages = [
        (
            world["eve"],
            [
                "/",
                "/cases/",
                f"/cases/?q={q}",
                f"/cases/{number}/",
                f"/cases/{other}/",
                f"/cases/{other}/feedback/",
                "/cases/new/",
                f"/organizations/{world['evil'].pk}/billing/",
                "/kb/",
                "/kb/?q=click",
                f"/kb/?q={q}",
                f"/kb/articles/{article}/",
                "/kb/suggest/?title=click+backups",
                "/news/",
                "/accounts/profile/",
            ],
        ),
        (
            engineer,
            [
                "/staff/",
                f"/staff/?q={q}",
                f"/staff/cases/{number}/",
                f"/staff/cases/{other}/",
                "/staff/phone/?q=eve",
                f"/staff/phone/?q={q}",
                f"/staff/phone/?customer={world['eve'].pk}",
                f"/kb/articles/{article}/edit/",
                f"/cases/{number}/",
            ],
        ),
        (
            manager,
            [
                "/staff/escalations/",
                "/staff/figures/",
                f"/staff/figures/?organization={world['evil'].pk}",
                f"/staff/cases/{number}/",
            ],
        ),
    ]
    for bypass_csp in (False, True):
        for user, urls in pages:
            context = new_context(chromium, watch, bypass_csp=bypass_csp, user=user)
            try:
                page = context.new_page()
                page.on("dialog", watch.dialog)
                for url in urls:
                    render(page, watch, url)
            finally:
                context.close()

    # The HTML e-mails, as a mail program that runs nothing but loads what it is told.
    mails = list(OutboxEmail.objects.exclude(body_html="").values_list("template", "body_html"))
    templates = {template for template, _ in mails}
    assert {"case_logged", "staff_reply", "customer_message", "escalation_manager", "edown_alert"} <= templates
    context = new_context(chromium, watch, bypass_csp=True)
    try:
        page = context.new_page()
        page.on("dialog", watch.dialog)
        for template, html in mails:
            page.set_content(html, wait_until="load")
            page.wait_for_timeout(30)
            watch.renders += 1
            watch.injections += [f"e-mail {template}: {found}" for found in page.evaluate(FIND_INJECTIONS)]
    finally:
        context.close()

    assert watch.dialogs == []
    assert watch.beacons == []
    assert watch.injections == []
    assert watch.csp_problems == []
    assert watch.renders == 2 * sum(len(urls) for _, urls in pages) + len(mails)
    figure(
        "XSS in Chromium",
        f"{watch.renders} renders ({len(mails)} e-mails), {watch.executions} executions, "
        f"{len(watch.beacons)} beacons, {len(watch.injections)} DOM injections",
    )


def test_a_hostile_reply_swapped_in_by_htmx_does_not_run(chromium, live_server, acme, alice, engineer):
    """htmx inserts the new thread into the page: a script in it must still not run."""
    case = case_services.log_case(
        actor=alice, title="Plain title", description="Plain.", severity="low", request_type="feature_request"
    )
    base = base_url(live_server)
    watch = Watch(base)
    context = new_context(chromium, watch, bypass_csp=False, user=alice)
    try:
        page = context.new_page()
        page.on("dialog", watch.dialog)
        render(page, watch, f"/cases/{case.number}/")
        page.evaluate("window.notReloaded = true")
        page.locator("#reply-form textarea").fill(BODY)
        page.locator("#reply-form button[type=submit]").click()
        page.locator("#thread", has_text="Our backups fail.").wait_for(timeout=10_000)
        page.wait_for_timeout(200)
        assert page.evaluate("window.notReloaded === true"), "the reply was not swapped in by htmx"
        found = page.evaluate(FIND_INJECTIONS)
    finally:
        context.close()

    assert Case.objects.get(pk=case.pk).message_count == 1
    assert found == []
    assert watch.dialogs == [] and watch.beacons == []


def test_the_watch_sees_what_it_looks_for(chromium, live_server):
    """The detectors are not blind: an unescaped payload set into a page is caught by each."""
    watch = Watch(base_url(live_server))
    context = new_context(chromium, watch, bypass_csp=True)
    try:
        page = context.new_page()
        page.on("dialog", watch.dialog)
        # (Without the refresh, which would take the page away: the beacon list sees that one.)
        body = "\n".join(line for line in BODY.splitlines() if "refresh" not in line)
        page.set_content(f"<p>{TITLE}</p><p>{body}</p><p>{EVALUATED}</p>", wait_until="load")
        page.wait_for_timeout(200)
        found = page.evaluate(FIND_INJECTIONS)
    finally:
        context.close()

    assert watch.dialogs, "no dialog seen"
    assert any(url.startswith(BEACON) for url in watch.beacons), watch.beacons
    for expected in (
        "img[onerror]",
        "svg[onload]",
        "details[ontoggle]",
        "script:",
        "iframe",
        "template evaluated",
        "__xss",
    ):
        assert any(expected in item for item in found), (expected, found)
    assert script_src_problems("/api/v1/docs/", "default-src 'self'; script-src 'self' 'unsafe-inline'")
    assert script_src_problems("/", None)
    assert not script_src_problems("/", "default-src 'self'; script-src 'self'")
