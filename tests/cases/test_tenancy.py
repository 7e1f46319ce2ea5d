"""THE TENANCY TABLE: Oscar (a customer of Globex) learns nothing about Acme.

Every URL of the project that names a case (``<str:number>``), an attachment
(``<int:attachment_id>``) or an organization's billing (``organizations/<int:pk>/billing``),
browser and API alike, is found by walking the URL resolver, so a route added later is
covered without touching this file. Each is called with GET and with POST (a body that
would be valid if the case were his) as Oscar against Acme's case, attachment and
organization; the answer is 404, exactly as for a case that does not exist, and nothing
changes: no event, message, time entry, escalation or e-mail.

Where Oscar is turned away whatever the object (a staff page answers 403, a method the
route does not serve answers 405), the answer must be identical to the one for an object
that does not exist: it tells him nothing either. Any other answer (200, a redirect
after a successful post, 400, 409, ...) fails the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from cases import services
from cases.models import Attachment, Case, CaseEvent, Channel, Message, TimeEntry
from escalation.models import Escalation
from escalation.services import escalate_case
from notifications.models import OutboxEmail

# Routes found by the walk on the day this table was written: 18 API routes and 20 browser
# routes. The walk may find more later, never fewer.
KNOWN_ROUTES = 38

_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_NAMES_A_CASE = re.compile(r"<(?:\w+:)?number>")
_NAMES_AN_ATTACHMENT = re.compile(r"<(?:\w+:)?attachment_id>")
_NAMES_BILLING = re.compile(r"organizations/<(?:\w+:)?pk>/billing")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def tenant_routes() -> list[str]:
    """Every route that names something belonging to one organization."""
    routes = [
        route
        for route in _walk(get_resolver().url_patterns)
        if _NAMES_A_CASE.search(route) or _NAMES_AN_ATTACHMENT.search(route) or _NAMES_BILLING.search(route)
    ]
    return sorted(set(routes))


ROUTES = tenant_routes()
CASE_ROUTES = [route for route in ROUTES if _NAMES_A_CASE.search(route)]
METHODS = ["GET", "POST"]


def is_api(route: str) -> bool:
    return route.startswith("api/")


def fill(route: str, values: dict[str, Any]) -> str:
    """The route with its parameters replaced: ``values`` maps a parameter name (or, for
    ``pk``, the path segment before it) to the value to put there."""

    def value_for(match: re.Match[str]) -> str:
        name = match.group("name")
        if name == "pk":
            segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            key = f"{segment}/pk"
        else:
            key = name
        if key not in values:
            pytest.fail(f"{route}: no value for <{name}> after '{key}'; add one to the tenancy table's fixtures")
        return str(values[key])

    return "/" + _PARAMETER.sub(value_for, route)


def plausible_body(user_id: int) -> dict[str, Any]:
    """Fields that make a valid request for any of the case actions."""
    return {
        "body": "Hello from outside.",
        "reason": "Just checking.",
        "note": "Hand-over note.",
        "tier": "L2",
        "assignee": user_id,
        "minutes": 30,
        "billable": False,
        "severity": "critical",
        "internal": False,
        "message": "Feedback from outside.",
        "escalate": False,
        "spr_number": "SPR-4242",
        "escalated": False,
        "category": "users_cannot_access",
        "total_users": 100,
        "affected_users": 100,
        "actions_taken": "Rebooted everything.",
        "down_since": "2026-01-01T08:00:00Z",
        "month": "2026-01",
    }


class Caller:
    """One user at both doors: the API client (JSON) and a logged-in browser (forms)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.api = APIClient()
        self.api.force_authenticate(user=user)
        self.browser = Client()
        self.browser.force_login(user)

    def __call__(self, method: str, route: str, values: dict[str, Any]) -> Any:
        url = fill(route, values)
        body = plausible_body(self.user.pk)
        if is_api(route):
            if method == "GET":
                return self.api.get(url)
            contact = {
                "name": "Oscar",
                "phone": "+33 1 23 45 67 89",
                "email": "oscar@globex.example",
                "on_site": True,
                "speaks_english": True,
            }
            return self.api.post(url, {**body, "contact": contact}, format="json")
        if method == "GET":
            return self.browser.get(url)
        return self.browser.post(url, body)


def answer(response: Any) -> tuple[int, Any]:
    """What the caller learns: the status and, for JSON, the body."""
    if response.streaming:
        content: Any = b"".join(response.streaming_content)  # read to the end: the file closes
    elif response.get("Content-Type", "").startswith("application/json"):
        content = response.json()
    else:
        content = None  # HTML pages carry a per-request CSRF token: compare the status only
    return response.status_code, content


@pytest.fixture
def acme_things(acme, alice, engineer, manager, upload) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Acme's case (assigned, escalated, a solution proposed, a file attached) and the
    values that name it, its attachment, its escalation and Acme's billing."""
    case = Case.objects.create(
        organization=acme,
        requester=alice,
        assignee=engineer,
        title="Acme's secret outage",
        description="Only Acme may know.",
        severity="high",
        severity_rank=2,
        request_type="consultation",
        status="open",
    )
    message = services.add_message(
        case=case,
        author=engineer,
        body="The fix is attached.",
        channel=Channel.API,
        files=[upload("fix.patch", b"--- a\n+++ b\n")],
    )
    services.propose_solution(case=case, actor=engineer, body="Apply fix.patch.", channel=Channel.API)
    services.log_time(case=case, actor=engineer, minutes=60, channel=Channel.API)
    escalation = escalate_case(case=case, actor=alice, reason="Too slow.", channel=Channel.WEB)
    return {
        "case": case,
        "values": {
            "number": case.number,
            "attachment_id": message.attachments.get().pk,
            "organizations/pk": acme.pk,
            "escalations/pk": escalation.pk,
        },
    }


@pytest.fixture
def nothing_values(acme_things) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Values that name nothing at all: the answer Oscar must not be able to tell apart."""
    return {
        "number": "C-999999",
        "attachment_id": 999999,
        "organizations/pk": 999999,
        "escalations/pk": 999999,
    }


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a request could change about Acme's case."""
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "events": CaseEvent.objects.filter(case=case).count(),
        "messages": Message.objects.filter(case=case).count(),
        "attachments": Attachment.objects.filter(case=case).count(),
        "time": TimeEntry.objects.filter(case=case).count(),
        "escalations": Escalation.objects.filter(case=case).count(),
        "outbox": OutboxEmail.objects.count(),
    }


def test_the_walk_finds_every_route_known_today():
    assert len(ROUTES) >= KNOWN_ROUTES, ROUTES
    for known in [
        "api/v1/cases/<str:number>/",
        "api/v1/cases/<str:number>/messages/",
        "api/v1/organizations/<int:pk>/billing/",
        "cases/<str:number>/",
        "staff/cases/<str:number>/",
        "organizations/<int:pk>/billing/",
        "attachments/<int:attachment_id>/",
    ]:
        assert known in ROUTES
    assert any(not is_api(route) for route in ROUTES) and any(is_api(route) for route in ROUTES)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("route", ROUTES)
def test_oscar_gets_not_found_for_anything_of_acme(route, method, acme_things, nothing_values, oscar):
    case = acme_things["case"]
    before = snapshot(case)

    call = Caller(oscar)

    status, content = answer(call(method, route, acme_things["values"]))
    after = snapshot(case)
    missing_status, missing_content = answer(call(method, route, nothing_values))

    if missing_status in (403, 405):
        # Refused whatever the object: the answer must be the very same as for nothing.
        assert (status, content) == (missing_status, missing_content), f"{method} /{route}"
    else:
        assert status == 404, f"{method} /{route} answered {status} for Acme's object: {content!r}"
        assert missing_status == 404, f"{method} /{route} answered {missing_status} for a missing object"
        if is_api(route):
            assert content == missing_content, f"{method} /{route}: the 404 differs from a missing object's"
    assert after == before, f"{method} /{route} changed Acme's case"
    assert "Acme's secret outage" not in str(content)


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_is_really_checked_for_a_missing_object(route, acme_things, nothing_values, engineer):
    """Staff may use every route: at least one method answers 404 for an object that does
    not exist, so the table above is not passing only on 403s and 405s."""
    call = Caller(engineer)

    statuses = {method: answer(call(method, route, nothing_values))[0] for method in METHODS}

    assert 404 in statuses.values(), f"/{route}: {statuses}"


MALFORMED_NUMBERS = ["C-999999", "C-12", "C-0000001", "X-000001", "C-", "C-" + "9" * 30]


def near_misses(case: Case) -> list[str]:
    """Spellings that are almost the real case's number (unpadded, over-padded, another
    letter, a digit too many, a trailing line feed, full-width digits)."""
    number = f"{case.pk:06d}"
    full_width = number.translate({ord(digit): ord(digit) + 0xFEE0 for digit in "0123456789"})
    return [f"C-{case.pk}", f"C-0{number}", f"X-{number}", f"C-{number}0", f"C-{number}%0A", f"C-{full_width}"]


@pytest.mark.parametrize("route", CASE_ROUTES)
@pytest.mark.parametrize("who", ["alice", "engineer"])
def test_a_malformed_or_unknown_case_number_is_not_found_even_for_those_who_see_the_case(
    route, who, request, acme_things, nothing_values
):
    call = Caller(request.getfixturevalue(who))
    case = acme_things["case"]
    before = snapshot(case)
    failures = []

    for method in METHODS:
        reference = answer(call(method, route, nothing_values))
        if reference[0] not in (403, 404, 405):
            failures.append(f"{method} C-999999 answered {reference[0]}")
        for number in MALFORMED_NUMBERS + near_misses(case):
            got = answer(call(method, route, {**acme_things["values"], "number": number}))
            expected = reference if is_api(route) else (reference[0], None)
            if got != expected:
                failures.append(f"{method} {number} answered {got[0]}, not {reference[0]}")

    assert failures == [], f"/{route}: {failures}"
    assert snapshot(case) == before


def test_feedback_about_acmes_case_is_not_found_for_oscar(acme_things, oscar):
    case = acme_things["case"]
    before = snapshot(case)
    client = APIClient()
    client.force_authenticate(user=oscar)

    response = client.post(
        "/api/v1/feedback/", {"case": case.number, "message": "Let me in.", "escalate": True}, format="json"
    )
    missing = client.post(
        "/api/v1/feedback/", {"case": "C-999999", "message": "Let me in.", "escalate": True}, format="json"
    )

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert snapshot(case) == before


def test_the_table_is_built_on_a_case_oscar_could_act_on_if_it_were_his(acme_things, alice):
    """Guard against a table that passes because the case refuses everyone: Alice (Acme)
    gets the case, its attachment and Acme's statement."""
    case = acme_things["case"]
    values = acme_things["values"]
    client = APIClient()
    client.force_authenticate(user=alice)
    browser = Client()
    browser.force_login(alice)

    assert client.get(f"/api/v1/cases/{case.number}/").status_code == 200
    assert client.get(f"/api/v1/organizations/{values['organizations/pk']}/billing/?month=2026-01").status_code == 200
    download = browser.get(f"/attachments/{values['attachment_id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"--- a\n+++ b\n"
    case.refresh_from_db()
    assert case.status == "solution_proposed"
