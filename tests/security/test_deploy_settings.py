"""The production configuration, as deployed: Django's deployment checks pass with
nothing to report, and the running server (gunicorn behind a TLS proxy, simulated by
``X-Forwarded-Proto: https``) sends the security headers and cookie flags it promises.

``tests/test_security_headers.py`` checks the headers under the test settings (plain
HTTP, no secure cookies); this module starts the product with the production variables
of ``bin/ci-checks`` instead: ``DEBUG`` off, HTTPS redirect on, secure cookies, HSTS.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import requests

from tests.security.live_stack import WORLD_PASSWORD, LiveStack, database_url_of, production_password_hash

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
HOST = "support.example.com"
ORIGIN = f"https://{HOST}"
# What the test environment relaxes (tests/pytest_env.py) and production does not.
RELAXED_FOR_TESTS = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEBUG")


def production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in RELAXED_FOR_TESTS}
    env.update(
        {
            "SECRET_KEY": "ci-only-" + secrets.token_hex(32),
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": ORIGIN,
            "SITE_URL": ORIGIN,
        }
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deployment_checks_report_nothing_with_the_production_variables(figure):
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    # The check is not toothless: the same configuration without HSTS is refused.
    weakened = check_deploy(production_env(SECURE_HSTS_SECONDS="0"))
    assert weakened.returncode != 0 and "security.W004" in weakened.stdout + weakened.stderr
    figure("check --deploy", "production variables: 0 warnings (and HSTS off is caught: security.W004)")


# --- the running server with production settings ------------------------------------


@pytest.fixture
def production_server(transactional_db, tmp_path_factory):  # type: ignore[no-untyped-def]
    """gunicorn alone (no worker needed) with the production security settings."""
    from django.conf import settings
    from django.db import connection

    stack = LiveStack(
        database_url=database_url_of(connection.settings_dict),
        broker_url=os.environ.get("CELERY_BROKER_URL", settings.CELERY_BROKER_URL),
        secret_key=settings.SECRET_KEY,
        workdir=Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp(), prefix="prod-")),
        extra_env={
            "SECURE_SSL_REDIRECT": "1",
            "SESSION_COOKIE_SECURE": "1",
            "CSRF_COOKIE_SECURE": "1",
            # 127.0.0.1 too: the stack's readiness probe asks /healthz by address.
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": ORIGIN,
            "SITE_URL": ORIGIN,
        },
    )
    stack.start_web()
    try:
        yield stack
    finally:
        stack.stop_web()


def via_proxy(server: LiveStack, method: str, path: str, *, cookies: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """A request as the TLS proxy forwards it: the public host name, the scheme in a header."""
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return requests.request(
        method, server.base_url + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
    )


def set_cookies(response: requests.Response) -> dict[str, SimpleCookie]:
    """Every Set-Cookie of the response, parsed, by cookie name."""
    parsed: dict[str, SimpleCookie] = {}
    for header in response.raw.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            parsed[name] = cookie
    return parsed


def assert_security_headers(response: requests.Response, *, api_docs: bool = False) -> None:
    """The headers every response carries. The API docs page (Swagger UI, no user data)
    alone boots with an inline script, and drf-spectacular opens its opener policy for
    Swagger UI's OAuth pop-up (``unsafe-none``)."""
    where = f"{response.request.method} {response.request.path_url}"
    assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Cross-Origin-Opener-Policy") == ("unsafe-none" if api_docs else "same-origin"), where
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'self'" in directives.get("script-src", []), where
    assert "'unsafe-eval'" not in directives["script-src"], where
    assert ("'unsafe-inline'" in directives["script-src"]) is api_docs, where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where


@pytest.mark.postgres
def test_production_server_sends_security_headers_and_secure_cookies(production_server, figure):
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from tests.factories import CustomerFactory, OrganizationFactory, StaffFactory

    acme = OrganizationFactory(name="Acme", customer_number="ACME-1")
    CustomerFactory(email="alice@acme.example", organization=acme)
    staff = StaffFactory(email="erin@vendor.example")
    User.objects.update(password=production_password_hash())
    token = Token.objects.create(user=staff).key
    checked = 0

    # Plain HTTP is redirected to HTTPS (the health probe excepted), a foreign Host refused.
    redirect = requests.get(
        production_server.base_url + "/accounts/login/", headers={"Host": HOST}, allow_redirects=False, timeout=30
    )
    assert redirect.status_code == 301 and redirect.headers["Location"] == f"{ORIGIN}/accounts/login/"
    health = requests.get(production_server.base_url + "/healthz", headers={"Host": HOST}, timeout=30)
    assert health.status_code == 200
    poisoned = via_proxy(production_server, "GET", "/accounts/login/", headers={"Host": "attacker.example"})
    assert poisoned.status_code == 400

    # Signing in: the session cookie is Secure, HttpOnly and SameSite; so is the CSRF
    # cookie, except HttpOnly (htmx reads it to send the token, settings.CSRF_COOKIE_HTTPONLY).
    login_page = via_proxy(production_server, "GET", "/accounts/login/")
    assert login_page.status_code == 200
    assert_security_headers(login_page)
    checked += 1
    csrf = set_cookies(login_page)["csrftoken"]["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and not csrf["httponly"]
    signed_in = via_proxy(
        production_server,
        "POST",
        "/accounts/login/",
        cookies={"csrftoken": csrf.value},
        headers={"Referer": f"{ORIGIN}/accounts/login/", "Origin": ORIGIN},
        data={"username": "alice@acme.example", "password": WORLD_PASSWORD, "csrfmiddlewaretoken": csrf.value},
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    cookies = set_cookies(signed_in)
    session = cookies["sessionid"]["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert cookies["csrftoken"]["csrftoken"]["secure"]
    jar = {"sessionid": session.value, "csrftoken": cookies["csrftoken"]["csrftoken"].value}

    # Pages, the API and the schema carry the headers; only the API docs boot inline.
    for path in ["/", "/cases/", "/cases/new/", "/kb/", "/accounts/profile/"]:
        page = via_proxy(production_server, "GET", path, cookies=jar)
        assert page.status_code == 200, (path, page.status_code)
        assert_security_headers(page)
        checked += 1
    for path in ["/api/v1/cases/", "/api/v1/me/", "/api/v1/schema/"]:
        answer = via_proxy(production_server, "GET", path, headers={"Authorization": f"Token {token}"})
        assert answer.status_code == 200, (path, answer.status_code)
        assert_security_headers(answer)
        checked += 1
    refused = via_proxy(production_server, "GET", "/api/v1/cases/")
    assert refused.status_code in (401, 403)
    assert_security_headers(refused)
    docs = via_proxy(production_server, "GET", "/api/v1/docs/")
    assert docs.status_code == 200
    assert_security_headers(docs, api_docs=True)
    checked += 2
    assert not production_server.server_errors_in_log()
    figure(
        "Deployment headers",
        f"{checked} responses over HTTPS with HSTS, nosniff, Referrer-Policy, X-Frame-Options DENY, COOP, "
        "CSP without inline scripts (API docs page excepted); session cookie Secure+HttpOnly+SameSite",
    )
