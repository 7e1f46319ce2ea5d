"""The page layout every screen shares: sign-in, profile, the organization switch and its
banner, error pages, vendored assets, and strings marked for translation.

Only pages that exist today are rendered here (sign-in, profile, password change, the
error pages); the case pages test their own content.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from accounts.models import Membership
from accounts.selectors import SESSION_ACTIVE_ORG
from cases.models import Severity, Status
from tests.factories import PASSWORD, OrganizationFactory

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
LOGIN_URL = "/accounts/login/"
PROFILE_URL = "/accounts/profile/"
PASSWORD_URL = "/accounts/password/"
SWITCH_URL = "/accounts/switch-organization/"
BANNER_TEXT = "is not your primary association"


class Page(HTMLParser):
    """Just enough of a DOM for assertions: start tags with attributes, label texts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "label":
            self._label_for = attributes.get("for")
            self._label_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for:
            self.labels[self._label_for] = " ".join("".join(self._label_text).split())
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._label_for:
            self._label_text.append(data)

    def find(self, tag: str, **attrs: str) -> dict[str, str] | None:
        for name, attributes in self.tags:
            if name == tag and all(attributes.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return attributes
        return None


def page(response) -> Page:  # type: ignore[no-untyped-def]
    return Page(response.content.decode())


def text(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees: tags stripped, entities decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"</?(?:strong|em|b|i|span|a|code|abbr|time)\b[^>]*>", "", body)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def globex_too(alice, globex):  # type: ignore[no-untyped-def]
    """Alice also works for Globex; Acme stays her primary association."""
    Membership.objects.create(user=alice, organization=globex, is_primary=False)
    return globex


# --- Sign-in --------------------------------------------------------------------------


def test_the_sign_in_page_has_labelled_email_and_password_fields(client, db):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = page(response)
    assert html.find("input", name="username", type="email", id="id_username") is not None
    assert html.find("input", name="password", type="password", id="id_password") is not None
    assert html.labels["id_username"] == "E-mail address"
    assert html.labels["id_password"] == "Password"
    assert html.find("input", name="csrfmiddlewaretoken") is not None
    assert html.find("a", href="#main", **{"class": "skip-link"}) is not None
    assert html.find("main", id="main") is not None
    assert html.find("html", lang="en") is not None


def test_a_wrong_password_is_answered_beside_the_form_and_keeps_the_address(client, alice):
    response = client.post(LOGIN_URL, {"username": alice.email, "password": "not it"})

    assert response.status_code == 200
    assert "Invalid e-mail address or password." in text(response)
    html = page(response)
    assert html.find("div", role="alert") is not None
    assert html.find("input", name="username", value=alice.email) is not None


def test_a_missing_field_is_marked_invalid_and_described_by_its_error(client, db):
    response = client.post(LOGIN_URL, {"username": "", "password": ""})

    html = page(response)
    username = html.find("input", name="username")
    assert username is not None
    assert username.get("aria-invalid") == "true"
    assert "id_username_error" in username.get("aria-describedby", "").split()
    assert html.find("ul", id="id_username_error") is not None


def test_too_many_failures_say_how_long_to_wait(client, alice, settings, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post(LOGIN_URL, {"username": alice.email, "password": "not it"})

    response = client.post(LOGIN_URL, {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in text(response)
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # The refused attempt is not validated: no "wrong password" verdict leaks out.
    assert "Invalid e-mail address or password." not in text(response)


def test_signing_in_leads_to_the_home_page(client, alice):
    response = client.post(LOGIN_URL, {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:home")


# --- Shared layout --------------------------------------------------------------------


def test_a_signed_in_customer_sees_the_customer_navigation(browser_for, alice):
    response = browser_for(alice).get(PROFILE_URL)

    html = page(response)
    body = text(response)
    assert html.find("a", href=reverse("cases:home"), **{"class": "brand"}) is not None
    assert html.find("nav", aria_label="Main") is not None
    assert html.find("a", href="/kb/") is not None
    assert html.find("form", method="post", action=reverse("accounts:logout")) is not None
    assert html.find("a", href=PROFILE_URL, aria_current="page") is not None
    assert "Alice Acme" in body
    assert "Dashboard" not in body
    assert html.find("a", href=reverse("cases:log")) is not None
    assert html.find("a", href=reverse("cases:tracker")) is not None
    assert html.find("a", href=reverse("cases:dashboard")) is None
    assert html.find("a", href=reverse("cases:phone_desk")) is None


def test_staff_see_staff_navigation_and_no_organization_bar(browser_for, engineer):
    response = browser_for(engineer).get(PROFILE_URL)

    assert response.status_code == 200
    html = page(response)
    body = text(response)
    assert "Acting for" not in body
    assert BANNER_TEXT not in body
    assert "Log a case" not in body
    assert html.find("a", href=reverse("cases:dashboard")) is not None
    assert html.find("a", href=reverse("cases:phone_desk")) is not None
    assert html.find("a", href=reverse("cases:log")) is None


def test_signing_out_is_a_post_that_ends_the_session(browser_for, alice):
    client = browser_for(alice)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(PROFILE_URL).status_code == 302


def test_htmx_requests_carry_the_csrf_token_from_the_page(alice, acme, globex_too):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = page(client.get(PROFILE_URL)).find("body")
    assert body is not None
    token = re.fullmatch(r'\{"X-CSRFToken": "([A-Za-z0-9]+)"\}', body["hx-headers"])
    assert token is not None

    response = client.post(
        SWITCH_URL,
        {"organization": globex_too.pk, "next": PROFILE_URL},
        headers={"X-CSRFToken": token.group(1), "HX-Request": "true"},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.active_organization == globex_too


def test_the_vendored_htmx_is_served_and_nothing_loads_from_another_site(client, db):
    htmx = STATIC / "vendor" / "htmx" / "htmx.min.js"
    assert htmx.is_file() and htmx.stat().st_size > 10_000
    assert (STATIC / "vendor" / "htmx" / "LICENSE").is_file()

    scripts = [attrs["src"] for tag, attrs in page(client.get(LOGIN_URL)).tags if tag == "script" and "src" in attrs]
    assert any(src.endswith("vendor/htmx/htmx.min.js") for src in scripts)
    served = client.get(next(src for src in scripts if src.endswith("htmx.min.js")))
    assert served.status_code == 200
    assert b"htmx" in b"".join(served.streaming_content if served.streaming else [served.content])

    external = re.compile(
        r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//"
        r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//"
        r"|@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//"
        r"|url\(\s*[\"']?\s*(?:https?:)?//",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in [*TEMPLATES.rglob("*.html"), *STATIC.glob("css/*.css")]
        if external.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_status_and_severity_has_its_fixed_colour(db):
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")

    for value in Status.values:
        assert f".status-{value} {{" in css, value
    for value in Severity.values:
        assert f".sev-{value} {{" in css, value
    assert "@media print" in css


# --- Profile ----------------------------------------------------------------------------


def test_the_profile_page_shows_name_language_and_time_zone(browser_for, alice):
    response = browser_for(alice).get(PROFILE_URL)

    assert response.status_code == 200
    html = page(response)
    assert html.labels["id_name"].startswith("Name")
    assert html.labels["id_language"] == "Language"
    assert html.labels["id_timezone"] == "Time zone"
    assert html.find("select", name="timezone") is not None
    assert html.find("option", value="Europe/Paris") is not None
    assert html.find("a", href=PASSWORD_URL) is not None


def test_saving_the_profile_changes_language_and_time_zone(browser_for, alice):
    client = browser_for(alice)

    response = client.post(PROFILE_URL, {"name": "Alice A.", "language": "fr", "timezone": "Europe/Paris"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.name, alice.language, alice.timezone) == ("Alice A.", "fr", "Europe/Paris")
    following = client.get(PROFILE_URL)
    assert page(following).find("html", lang="fr") is not None
    assert "Europe/Paris" in text(following)


def test_a_bad_time_zone_is_reported_beside_the_field(browser_for, alice):
    response = browser_for(alice).post(PROFILE_URL, {"name": "Alice", "language": "en", "timezone": "Mars/Olympus"})

    assert response.status_code == 200
    html = page(response)
    select = html.find("select", name="timezone")
    assert select is not None
    assert select.get("aria-invalid") == "true"
    assert select.get("aria-describedby") == "id_timezone_error"
    assert html.find("ul", id="id_timezone_error") is not None
    assert html.find("a", href="#id_timezone") is not None  # the summary links to the field
    alice.refresh_from_db()
    assert alice.timezone == "UTC"


def test_the_password_change_page_has_its_three_fields(browser_for, alice):
    response = browser_for(alice).get(PASSWORD_URL)

    assert response.status_code == 200
    html = page(response)
    for name in ("old_password", "new_password1", "new_password2"):
        assert html.find("input", name=name, type="password") is not None, name
        assert f"id_{name}" in html.labels
    assert html.find("div", id="id_new_password1_helptext") is not None


def test_a_wrong_old_password_is_reported_beside_it(browser_for, alice):
    response = browser_for(alice).post(
        PASSWORD_URL, {"old_password": "nope", "new_password1": "Tr1cky-new-pass", "new_password2": "Tr1cky-new-pass"}
    )

    assert response.status_code == 200
    old = page(response).find("input", name="old_password")
    assert old is not None and old.get("aria-invalid") == "true"
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# --- Organization switch and the primary-association banner ---------------------------


def test_a_customer_of_one_organization_has_no_switch_and_no_banner(browser_for, alice):
    response = browser_for(alice).get(PROFILE_URL)

    body = text(response)
    assert "Acting for customer number ACME-1 – Acme" in body
    assert page(response).find("select", name="organization") is None
    assert BANNER_TEXT not in body


def test_the_banner_offers_the_primary_association_while_another_is_active(browser_for, alice, acme, globex_too):
    client = browser_for(alice)
    assert BANNER_TEXT not in text(client.get(PROFILE_URL))
    assert page(client.get(PROFILE_URL)).find("select", name="organization") is not None

    response = client.post(SWITCH_URL, {"organization": globex_too.pk, "next": PROFILE_URL}, follow=True)

    body = text(response)
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    assert "The active customer number (GLOBEX-1 – Globex) is not your primary association." in body
    assert "Switch to your primary association (ACME-1 – Acme) now?" in body
    html = page(response)
    assert html.find("input", type="hidden", name="organization", value=str(acme.pk)) is not None
    assert html.find("button", type="button", hidden="") is not None  # "Keep as is", shown by JS
    assert "Keep as is" in body and "Switch now" in body

    response = client.post(SWITCH_URL, {"organization": acme.pk, "next": PROFILE_URL}, follow=True)

    assert BANNER_TEXT not in text(response)
    assert "You are now working for Acme." in text(response)


def test_switching_to_someone_elses_organization_changes_nothing(browser_for, alice, globex_too):
    initech = OrganizationFactory(name="Initech", customer_number="INITECH-1")
    client = browser_for(alice)
    client.post(SWITCH_URL, {"organization": globex_too.pk, "next": PROFILE_URL})

    for organization_id in (initech.pk, 999_999):
        response = client.post(SWITCH_URL, {"organization": organization_id, "next": PROFILE_URL}, follow=True)

        assert "You are not a member of this organization." in text(response)
        assert page(response).find("option", value=str(globex_too.pk), selected="") is not None
        alice.refresh_from_db()
        assert alice.active_organization == globex_too
        assert client.session[SESSION_ACTIVE_ORG] == globex_too.pk


def test_a_switch_never_redirects_to_another_site(browser_for, alice, globex_too):
    response = browser_for(alice).post(SWITCH_URL, {"organization": globex_too.pk, "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:home")


# --- Error pages ----------------------------------------------------------------------


def test_a_missing_page_uses_the_site_layout(browser_for, alice):
    response = browser_for(alice).get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert page(response).find("a", href="#main") is not None


def test_a_refusal_says_why(alice):
    request = RequestFactory().get("/somewhere/")
    request.user = alice
    request.session = SessionStore()

    response = defaults.permission_denied(request, PermissionDenied("Only enterprise customers may do this."))

    assert response.status_code == 403
    body = text(response)
    assert "Only enterprise customers may do this." in body
    assert "Not allowed" in body


def test_the_server_error_page_needs_no_request(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    response = defaults.server_error(request)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- Translation ----------------------------------------------------------------------

OWNED_TEMPLATES = ["base.html", "403.html", "404.html", "500.html", "includes/*.html", "accounts/*.html"]
TEMPLATE_NOISE = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
VISIBLE_ATTRIBUTE = re.compile(r"\b(?:aria-label|title|placeholder|alt|value)\s*=\s*\"([^\"]*)\"")


def test_every_visible_string_is_marked_for_translation():
    unmarked: list[str] = []
    for pattern in OWNED_TEMPLATES:
        for path in sorted(TEMPLATES.glob(pattern)):
            source = path.read_text(encoding="utf-8")
            attributes = [value for value in VISIBLE_ATTRIBUTE.findall(source)]
            for noise in TEMPLATE_NOISE:
                source = noise.sub(" ", source)
                attributes = [noise.sub(" ", value) for value in attributes]
            leftovers = re.sub(r"<[^>]*>", " ", source)
            leftovers = re.sub(r"<!DOCTYPE html>", " ", leftovers, flags=re.I)
            for chunk in [*leftovers.split("\n"), *attributes]:
                if re.search(r"[^\W\d_]{2,}", chunk):
                    unmarked.append(f"{path.relative_to(TEMPLATES)}: {chunk.strip()}")
    assert unmarked == []
