"""Fixtures for the escalation tests (the named people come from tests/conftest.py).

Beyond Acme's Alice, Globex's Oscar and the staff (Erin the L1 engineer reports to Max
the manager, who reports to Dora the director), these tests need: Acme's cases in a
given state, more managers and directors to route to, a valid Enterprise Down body,
a way to run a request and what follows its commit, and a picture of everything a
refused request must leave untouched.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.response import Response

from accounts.models import Role, Tier, User
from cases.models import Case, CaseEvent, Channel
from escalation.models import EnterpriseDownDeclaration, Escalation, Feedback, Level
from notifications.models import OutboxEmail
from tests.factories import CaseFactory, StaffFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Every named person gets a password; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_case(acme, alice) -> Callable[..., Case]:  # type: ignore[no-untyped-def]
    """``make_case(**fields)``: a case of Acme requested by Alice (no events, no mail)."""

    def build(**fields: Any) -> Case:
        return CaseFactory(**{"organization": acme, "requester": alice, "status": "open", **fields})

    return build


@pytest.fixture
def acme_case(make_case, engineer) -> Case:  # type: ignore[no-untyped-def]
    """An open, medium case of Acme, requested by Alice and assigned to Erin."""
    return make_case(title="Acme database is slow", severity="medium", assignee=engineer)


@pytest.fixture
def mia(director) -> User:  # type: ignore[no-untyped-def]
    """A second manager (reports to Dora), created before Mo: the lower id."""
    return StaffFactory(email="mia@vendor.example", name="Mia Manager", role=Role.MANAGER, tier="", manager=director)


@pytest.fixture
def mo(director, mia) -> User:  # type: ignore[no-untyped-def]
    """A third manager (reports to Dora), created after Mia."""
    return StaffFactory(email="mo@vendor.example", name="Mo Manager", role=Role.MANAGER, tier="", manager=director)


@pytest.fixture
def dan(db) -> User:  # type: ignore[no-untyped-def]
    """A second director, created before Dee."""
    return StaffFactory(email="dan@vendor.example", name="Dan Director", role=Role.DIRECTOR, tier="")


@pytest.fixture
def dee(dan) -> User:  # type: ignore[no-untyped-def]
    """A third director, created after Dan."""
    return StaffFactory(email="dee@vendor.example", name="Dee Director", role=Role.DIRECTOR, tier="")


@pytest.fixture
def lone_engineer(db) -> User:  # type: ignore[no-untyped-def]
    """An engineer nobody manages."""
    return StaffFactory(email="nate@vendor.example", name="Nate Nomanager", role=Role.ENGINEER, tier=Tier.L2)


@pytest.fixture
def routed_to(make_case, alice) -> Callable[..., Escalation]:  # type: ignore[no-untyped-def]
    """``routed_to(manager, status="open", level="M1")``: an escalation already routed to
    ``manager`` on another case of Acme (its load)."""

    def build(manager: User, *, status: str = "open", level: str = Level.M1) -> Escalation:
        other = make_case(title="Another Acme case", status=status, escalation_level=level)
        return Escalation.objects.create(
            case=other, level=level, channel=Channel.WEB, requested_by=alice, reason="Earlier trouble", manager=manager
        )

    return build


@pytest.fixture
def edown_body() -> Callable[..., dict[str, Any]]:
    """``edown_body(**overrides)``: a valid body for POST /cases/{number}/edown/ (API.md)."""

    def build(**overrides: Any) -> dict[str, Any]:
        return {
            "category": "server_unresponsive",
            "total_users": 400,
            "affected_users": 380,
            "actions_taken": "Restarted the application server twice; it stops again after 5 minutes.",
            "down_since": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
            "contact": {
                "name": "Carl Contact",
                "phone": "+1 555 0100",
                "pager": "+1 555 0199",
                "email": "carl@acme.example",
                "on_site": True,
                "speaks_english": True,
            },
            **overrides,
        }

    return build


@pytest.fixture
def post(api, django_capture_on_commit_callbacks) -> Callable[..., Response]:  # type: ignore[no-untyped-def]
    """``post(user, url, body)``: POST as ``user`` under /api/v1/ and run what follows the
    commit (the e-mails)."""

    def send(user: User, url: str, body: dict[str, Any] | None = None) -> Response:
        with django_capture_on_commit_callbacks(execute=True):
            return api(user).post(f"/api/v1/{url}", body or {}, format="json")

    return send


@pytest.fixture
def escalate(post) -> Callable[..., Response]:  # type: ignore[no-untyped-def]
    """``escalate(user, case, reason=..., channel=None)``: POST /cases/{number}/escalations/."""

    def send(user: User, case: Case, reason: str = "Nobody has answered for two days.", **extra: Any) -> Response:
        return post(user, f"cases/{case.number}/escalations/", {"reason": reason, **extra})

    return send


def results(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer, whether paginated (``results``) or a plain list."""
    return body["results"] if isinstance(body, dict) else body


@pytest.fixture
def rows() -> Callable[[Any], list[dict[str, Any]]]:
    return results


@pytest.fixture
def events_of(api) -> Callable[..., list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """``events_of(user, case, kind=None)``: the case's timeline as ``user`` sees it."""

    def read(user: User, case: Case, kind: str | None = None) -> list[dict[str, Any]]:
        response = api(user).get(f"/api/v1/cases/{case.number}/events/?page_size=100")
        assert response.status_code == 200, response.content
        events = results(response.json())
        return [event for event in events if kind is None or event["kind"] == kind]

    return read


@pytest.fixture
def state_of() -> Callable[[Case], dict[str, Any]]:
    """``state_of(case)``: everything a refused request must leave as it was."""

    def picture(case: Case) -> dict[str, Any]:
        fresh = Case.objects.get(pk=case.pk)
        return {
            "severity": fresh.severity,
            "severity_rank": fresh.severity_rank,
            "status": fresh.status,
            "escalation_level": fresh.escalation_level,
            "spr_number": fresh.spr_number,
            "spr_escalated": fresh.spr_escalated,
            "updated_at": fresh.updated_at,
            "escalations": list(
                Escalation.objects.filter(case=fresh).values_list("id", "level", "manager_id", "acknowledged_at")
            ),
            "declarations": EnterpriseDownDeclaration.objects.filter(case=fresh).count(),
            "feedback": Feedback.objects.filter(case=fresh).count(),
            "events": CaseEvent.objects.filter(case=fresh).count(),
            "emails": OutboxEmail.objects.count(),
        }

    return picture
