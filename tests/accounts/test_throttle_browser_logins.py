"""The browser login form at /accounts/login/ is throttled like the token endpoint (API.md "Auth")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def sign_in(db):  # type: ignore[no-untyped-def]
    """``sign_in(email, password, ip=…)`` posts the login form from a fresh browser."""

    def post(email: str, password: str, *, ip: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
        browser = Client()
        response = browser.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)
        response.signed_in = "_auth_user_id" in browser.session
        return response

    return post


def test_the_right_password_signs_in(sign_in, alice):
    response = sign_in("alice@acme.example", PASSWORD)

    assert response.status_code == 302
    assert response.signed_in


def test_a_wrong_password_shows_the_form_again(sign_in, alice):
    response = sign_in("alice@acme.example", "wrong password")

    assert response.status_code == 200
    assert not response.signed_in


def test_the_eleventh_attempt_on_one_account_is_refused_even_with_the_right_password(sign_in, alice):
    # Given 10 failed sign-ins for alice, each from a different address
    for n in range(10):
        assert sign_in("alice@acme.example", "wrong password", ip=f"198.51.100.{n + 1}").status_code == 200

    # When she then types the right password
    response = sign_in("alice@acme.example", PASSWORD, ip="203.0.113.7")

    # Then the page answers 429 with Retry-After, and she is not signed in
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60 + 1
    assert not response.signed_in


def test_the_throttle_lifts_once_the_window_has_passed(sign_in, alice, time_machine):
    for n in range(10):
        sign_in("alice@acme.example", "wrong password", ip=f"198.51.100.{n + 1}")
    assert sign_in("alice@acme.example", PASSWORD).status_code == 429

    time_machine.shift(timedelta(minutes=16))

    response = sign_in("alice@acme.example", PASSWORD)
    assert response.status_code == 302
    assert response.signed_in


def test_one_address_is_throttled_across_accounts(sign_in, alice):
    # Given 10 failed sign-ins from one address, each for a different e-mail
    for n in range(10):
        assert sign_in(f"guess{n}@acme.example", "wrong password", ip="192.0.2.66").status_code == 200

    # When alice signs in correctly from that address, she is refused
    assert sign_in("alice@acme.example", PASSWORD, ip="192.0.2.66").status_code == 429

    # But from another address she gets in
    assert sign_in("alice@acme.example", PASSWORD, ip="192.0.2.10").status_code == 302


def test_failures_through_the_api_and_the_browser_add_up(sign_in, alice):
    # Given 5 failures through the token endpoint and 5 through the login form
    for n in range(5):
        APIClient().post(
            "/api/v1/auth/token/",
            {"email": "alice@acme.example", "password": "wrong"},
            format="json",
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        sign_in("alice@acme.example", "wrong", ip=f"198.51.100.{n + 101}")

    # Then both doors are closed to the eleventh attempt
    assert sign_in("alice@acme.example", PASSWORD, ip="203.0.113.7").status_code == 429
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"email": "alice@acme.example", "password": PASSWORD}, format="json")
        .status_code
        == 429
    )
