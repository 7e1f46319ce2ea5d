"""Every page carries a Content Security Policy without inline scripts, and the usual
security headers; the API docs page alone may boot Swagger UI inline."""

import pytest


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_pages_forbid_inline_scripts(client, db, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_carry_the_policy(browser_for, alice):
    response = browser_for(alice).get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_page_alone_allows_its_inline_boot_script(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
