"""Fixtures for the SLA and auto-close tests (the named people come from tests/conftest.py).

Acme (enterprise plan, ``US`` / ``America/New_York``, 09:00–18:00) is the organization
whose clocks run here; Alice logs its cases, Erin (reporting to Max) works them. Every
step happens at a chosen instant: ``at(when)`` freezes the clock there.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.response import Response

from accounts.models import User
from cases.models import Case, parse_case_number

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An instant given as a wall-clock time in New York (Acme's timezone)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def instant(value: str | None) -> dt.datetime | None:
    """A datetime from the API's JSON (ISO-8601), or None."""
    return None if value is None else dt.datetime.fromisoformat(value)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Every named person gets a password; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def at() -> Callable[[dt.datetime], Any]:
    """``with at(when):`` everything inside happens at ``when`` (the clock stands still)."""

    @contextmanager
    def frozen(when: dt.datetime) -> Iterator[None]:
        with time_machine.travel(when, tick=False):
            yield

    return frozen


@pytest.fixture
def call(api, at) -> Callable[..., Response]:  # type: ignore[no-untyped-def]
    """``call(user, "post", "cases/C-000001/messages/", body, when=...)``: one API request
    under /api/v1/, made at ``when``."""

    def send(user: User, method: str, url: str, body: dict[str, Any] | None = None, *, when: dt.datetime) -> Response:
        with at(when):
            client = api(user)
            if method == "get":
                return client.get(f"/api/v1/{url}")
            return getattr(client, method)(f"/api/v1/{url}", body or {}, format="json")

    return send


@pytest.fixture
def log_case(call, alice) -> Callable[..., Case]:  # type: ignore[no-untyped-def]
    """``log_case(when, severity="high")``: Alice logs a case of Acme through the API."""

    def log(when: dt.datetime, severity: str = "high", title: str = "Backups fail every night") -> Case:
        response = call(
            alice,
            "post",
            "cases/",
            {
                "title": title,
                "description": "Since the upgrade to 7.2 the nightly backup stops at 40%.",
                "severity": severity,
                "request_type": "incident",
            },
            when=when,
        )
        assert response.status_code == 201, response.json()
        return Case.objects.get(pk=parse_case_number(response.json()["number"]))

    return log


@pytest.fixture
def act(call, engineer, alice) -> Callable[..., Response]:  # type: ignore[no-untyped-def]
    """``act(case, "propose-solution", when, by=engineer, **body)``: POST a case action."""

    def post(case: Case, action: str, when: dt.datetime, by: User | None = None, **body: Any) -> Response:
        response = call(by or engineer, "post", f"cases/{case.number}/{action}/", body, when=when)
        assert response.status_code in (200, 201), response.json()
        return response

    return post


@pytest.fixture
def case_json(call, alice) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    """``case_json(case, when)``: GET /api/v1/cases/{number}/ as Alice, at ``when``."""

    def read(case: Case, when: dt.datetime) -> dict[str, Any]:
        response = call(alice, "get", f"cases/{case.number}/", when=when)
        assert response.status_code == 200, response.json()
        return response.json()

    return read


@pytest.fixture
def due_of(case_json) -> Callable[..., dict[str, dt.datetime | None]]:  # type: ignore[no-untyped-def]
    """``due_of(case, when)``: the case's ``due`` times as the API shows them."""

    def read(case: Case, when: dt.datetime) -> dict[str, dt.datetime | None]:
        due = case_json(case, when)["due"]
        return {"first_response": instant(due["first_response"]), "next_update": instant(due["next_update"])}

    return read


@pytest.fixture
def close_idle(at) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """``close_idle(when, "--dry-run", as_of=...)``: run ``manage.py close_idle_cases
    --as-of <as_of or when>`` with the clock at ``when``; returns what it printed."""

    def run(when: dt.datetime, *args: str, as_of: dt.datetime | None = None) -> str:
        out = io.StringIO()
        with at(when):
            call_command("close_idle_cases", "--as-of", (as_of or when).isoformat(), *args, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def edown_body() -> Callable[..., dict[str, Any]]:
    """``edown_body(down_since)``: a valid body for POST /cases/{number}/edown/ (API.md)."""

    def build(down_since: dt.datetime) -> dict[str, Any]:
        return {
            "category": "server_unresponsive",
            "total_users": 400,
            "affected_users": 380,
            "actions_taken": "Restarted the application server twice; it stops again after 5 minutes.",
            "down_since": down_since.isoformat(),
            "contact": {
                "name": "Carl Contact",
                "phone": "+1 555 0100",
                "email": "carl@acme.example",
                "on_site": True,
                "speaks_english": True,
            },
        }

    return build
