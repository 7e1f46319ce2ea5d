"""More than 10 failed logins in 15 minutes, for one account or from one address, answer 429.

API.md "Auth", through the token endpoint. The window slides: nobody is locked out for good.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), tick=False)


def log_in(email: str, password: str, *, ip: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    return APIClient().post(URL, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def fail_for(email: str, times: int, *, ips: list[str] | None = None) -> None:
    for attempt in range(times):
        ip = ips[attempt] if ips else f"198.51.100.{attempt + 1}"
        assert log_in(email, "wrong password", ip=ip).status_code in (400, 401)


def test_the_eleventh_attempt_on_one_account_is_refused_even_with_the_right_password(alice):
    # Given 10 failed logins for alice, each from a different address
    fail_for("alice@acme.example", 10)

    # When she then tries with the right password, from yet another address
    response = log_in("alice@acme.example", PASSWORD, ip="203.0.113.7")

    # Then it is refused with 429, saying when to try again, and no token
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60 + 1
    assert set(response.json()) == {"detail"}


def test_ten_attempts_are_allowed(alice):
    # Given 9 failed logins for alice
    fail_for("alice@acme.example", 9)

    # When she tries a tenth time with the right password
    response = log_in("alice@acme.example", PASSWORD)

    # Then she is in
    assert response.status_code == 200, response.content


def test_an_unknown_account_is_throttled_like_a_real_one(db):
    fail_for("nobody@acme.example", 10)

    response = log_in("nobody@acme.example", "anything")

    assert response.status_code == 429
    assert "Retry-After" in response


def test_the_account_is_throttled_whatever_the_case_of_the_email(alice):
    fail_for("ALICE@acme.example", 10)

    assert log_in("alice@ACME.example", PASSWORD, ip="203.0.113.7").status_code == 429


def test_successful_logins_do_not_count(alice):
    # Given alice logged in successfully many times, and failed 9 times
    for _ in range(15):
        assert log_in("alice@acme.example", PASSWORD).status_code == 200
    fail_for("alice@acme.example", 9)

    # When she logs in again
    response = log_in("alice@acme.example", PASSWORD)

    # Then she is let in: only failures count
    assert response.status_code == 200, response.content


def test_the_throttle_lifts_once_the_window_has_passed(alice, time_machine):
    # Given alice throttled after 10 failures
    fail_for("alice@acme.example", 10)
    assert log_in("alice@acme.example", PASSWORD).status_code == 429

    # When 14 minutes have passed, she is still refused
    time_machine.shift(timedelta(minutes=14))
    assert log_in("alice@acme.example", PASSWORD).status_code == 429

    # And when 16 minutes have passed since the failures, she gets in
    time_machine.shift(timedelta(minutes=2))
    response = log_in("alice@acme.example", PASSWORD)
    assert response.status_code == 200, response.content


def test_one_address_is_throttled_across_accounts(alice):
    # Given 10 failed logins from one address, each for a different e-mail
    for n in range(10):
        assert log_in(f"guess{n}@acme.example", "wrong password", ip="192.0.2.66").status_code in (400, 401)

    # When alice logs in correctly from that address, she is refused
    assert log_in("alice@acme.example", PASSWORD, ip="192.0.2.66").status_code == 429

    # But from her own address, her account is fine
    assert log_in("alice@acme.example", PASSWORD, ip="192.0.2.10").status_code == 200


def test_another_account_is_not_affected(alice, oscar):
    fail_for("alice@acme.example", 10)

    assert log_in("oscar@globex.example", PASSWORD, ip="203.0.113.8").status_code == 200
