"""THE CROSS-TENANT MATRIX: nobody outside organization C reads or changes anything of C.

Actors: anonymous, Ann (customer of A), Ben (customer of A and B), an engineer and a
manager. C ("ACME-1") holds canaries in every kind of data (tests/security/tenancy_world.py);
A and B have the customer numbers "ACME-10" and "ACME-100", of which C's is a prefix.

The requests are generated, not listed: every operation of the OpenAPI schema (plus any
API route the schema forgot, plus PUT and DELETE on every API path that names an object)
and every browser route of the URL resolver (admin included), each with C's objects in
its path parameters (two sets: the rich case with its public file, and the fresh case
with the internal file) and C's ids, customer number and words in its query parameters
(``organization=``, ``q=``, ``customer_number=``...). A route added tomorrow is probed
without editing this file; only ``ALLOW_LIST`` below skips anything, each with its reason.

For every request by anonymous or a customer:
- no 5xx;
- not one canary in the headers or body;
- nothing of C changed (every row of C, compared before and after the request);
- a request that names one of C's objects answers 404, or the very refusal (401, 403, 405,
  redirect to the login page) that an object that does not exist gets.

Then every e-mail queued during the matrix is delivered (locmem backend): none carrying a
canary goes to anybody but C's members and the staff. Staff see everything (their
requests must not fail, and together they must show every canary: the check above is
not passing because the canaries are invisible), and what is for customers only (confirm,
withdraw, feedback) or for managers only stays refused to them.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from cases.models import Case
from insights.charts import FIGURES
from notifications.models import OutboxEmail
from notifications.services import sweep_outbox
from tests.security.tenancy_world import (
    STAFF_ONLY_CANARIES,
    World,
    build_world,
    describe_change,
    fill_openapi_path,
    fill_route,
    find_canaries,
    fingerprint,
    is_login_redirect,
    response_text,
    schema_operations,
    walk_routes,
)

pytestmark = [pytest.mark.security]

# Routes that are not probed, by URL name (or route text for unnamed ones), with the reason.
ALLOW_LIST = {
    # Infrastructure: says whether the database and the broker answer; no tenant data.
    "healthz": "health probe",
    # The OpenAPI document and its Swagger UI: generated from the code, no tenant data
    # (every operation the document describes is probed below).
    "api-schema": "schema document",
    "api-docs": "schema docs page",
    # Signing out ends the actor's session: every later probe would silently run anonymous.
    "accounts:logout": "ends the session",
    "admin:logout": "ends the session",
}

# Parameters that name one of C's objects: a route carrying one is "bound" to C.
TENANT_KEYS = {
    "number",
    "attachment_id",
    "message_id",
    "organizations/pk",
    "escalations/pk",
    "articles/pk",
    "inbound/pk",
    "quarantine/pk",
    "mail/pk",
    "users/pk",
    "object_id",
    "user/pk",
    "organization/pk",
    "article/pk",
    "inboundmessage/pk",
    "outboxemail/pk",
}
_ANY_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}|\(\?P<(\w+)>")


def _bound(route: str) -> bool:
    """Whether the route names one of C's objects (see TENANT_KEYS)."""
    for match in _ANY_PARAMETER.finditer(route):
        name = next(group for group in match.groups() if group)
        if name in ("pk", "id", "object_id"):
            segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            if f"{segment}/pk" in TENANT_KEYS or name == "object_id":
                return True
        elif name in TENANT_KEYS:
            return True
    return False


@dataclass
class Probe:
    door: str  # "api" or "browser"
    method: str
    url: str
    route: str  # the route or schema path it came from
    name: str  # the URL name, for the expectations below
    variant: str  # "rich", "fresh" or "list"
    bound: bool
    body: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    actor: str
    probe: Probe
    status: int
    canaries: list[str]
    login_redirect: bool


class Actor:
    def __init__(self, name: str, user: Any) -> None:
        self.name = name
        self.user = user
        self.staff = bool(user is not None and user.is_support_staff)
        self.api = APIClient()
        self.browser = Client()
        if user is not None:
            self.api.force_authenticate(user=user)
            self.browser.force_login(user)

    def send(self, probe: Probe, url: str | None = None) -> Any:
        url = url or probe.url
        method = probe.method.lower()
        if probe.door == "api":
            if method == "get":
                return self.api.get(url)
            return getattr(self.api, method)(url, probe.body, format="json")
        if method == "get":
            return self.browser.get(url)
        return getattr(self.browser, method)(url, probe.body)


# --- Values that name C's things --------------------------------------------------------------


def path_values(world: World) -> dict[str, dict[str, Any]]:
    """The route parameters for the two sets of C's objects, and for objects that do not exist."""
    case_type = ContentType.objects.get_for_model(Case)
    outbox_row = OutboxEmail.objects.filter(case_number=world.rich.number).order_by("pk").first()
    common = {
        "organizations/pk": world.org_c.pk,
        "organization/pk": world.org_c.pk,
        "users/pk": world.carol.pk,
        "user/pk": world.carol.pk,
        "articles/pk": world.draft.pk,
        "article/pk": world.draft.pk,
        "inbound/pk": world.held_mail.pk,
        "quarantine/pk": world.held_mail.pk,
        "mail/pk": world.held_mail.pk,
        "inboundmessage/pk": world.held_mail.pk,
        "outboxemail/pk": outbox_row.pk if outbox_row else world.rich.pk,
        "content_type_id": case_type.pk,
        "chart": next(iter(FIGURES)),
        "uidb64": urlsafe_base64_encode(force_bytes(world.carol.pk)),
        "token": "set-password",
        "app_label": "accounts",
        "url": "cases/case/",
    }
    rich = {
        **common,
        "number": world.rich.number,
        "attachment_id": world.public_file.pk,
        "message_id": world.public_message.pk,
        "escalations/pk": world.m1.pk,
        "object_id": world.rich.pk,
    }
    fresh = {
        **common,
        "number": world.fresh.number,
        "attachment_id": world.secret_file.pk,
        "message_id": world.internal_note.pk,
        "escalations/pk": world.m2.pk,
        "object_id": world.fresh.pk,
    }
    ghost = {key: 999_999 for key in {**rich}}
    ghost.update(number="C-999999", chart=rich["chart"], uidb64="OTk5OTk5", token="set-password")
    ghost.update(app_label="accounts", url="cases/case/")
    return {"rich": rich, "fresh": fresh, "ghost": ghost}


def query_variants(world: World) -> list[dict[str, Any]]:
    """Query strings that point at C: its id, its case numbers, its exact customer number
    (a prefix of A's and B's), and words of its titles (never a canary: pages echo queries)."""
    month = timezone.now().astimezone(datetime.UTC).strftime("%Y-%m")
    base = {
        "organization": world.org_c.pk,
        "customer_number": world.org_c.customer_number,
        "assignee": world.engineer.pk,
        "month": month,
        "case": world.rich.number,
        "customer": world.carol.pk,
        "queue": "all",
        "all": "true",
        "format": "csv",
        "product": "Zebrafish",
        "title": "Zebrafish",
        "language": "en",
        "from": "suggest",
    }
    return [
        {**base, "q": world.rich.number},
        {**base, "q": world.org_c.customer_number},
        {**base, "q": "Zebrafish Quokka", "format": "json"},
    ]


def api_body(world: World) -> dict[str, Any]:
    """A JSON body that would be valid for any write of the API, aimed at C."""
    return {
        "title": "Matrix probe",
        "description": "A probe of the cross-tenant matrix.",
        "severity": "critical",
        "request_type": "incident",
        "product": "Probe",
        "organization": world.org_c.pk,
        "requester": world.carol.pk,
        "body": "Matrix probe.",
        "internal": False,
        "reason": "Matrix probe.",
        "note": "Matrix probe.",
        "tier": "L3",
        "assignee": world.engineer.pk,
        "minutes": 15,
        "billable": False,
        "message": "Matrix probe.",
        "escalate": True,
        "case": world.rich.number,
        "spr_number": "SPR-PROBE",
        "escalated": False,
        "category": "server_unresponsive",
        "total_users": 10,
        "affected_users": 5,
        "actions_taken": "Probe.",
        "down_since": "2026-01-01T08:00:00Z",
        "contact": {
            "name": "Probe",
            "phone": "+1 555 0199",
            "email": "probe@matrix.example",
            "on_site": True,
            "speaks_english": True,
        },
        "article": world.published.pk,
        "helpful": True,
        "published": True,
        "language": "en",
        "email": "nobody@matrix.example",
        "password": "not the password",
        "name": "Matrix Probe",
        "role": "admin",
        "customer_number": "ACME-1000",
        "country": "US",
        "timezone": "UTC",
        "memberships": [{"organization": world.org_c.pk, "is_primary": True}],
        "available": False,
    }


def form_body(world: World) -> dict[str, Any]:
    """A form body that would be valid for any browser form, aimed at C."""
    return {
        "title": "Matrix probe",
        "description": "A probe of the cross-tenant matrix.",
        "severity": "critical",
        "request_type": "incident",
        "organization": world.org_c.pk,
        "body": "Matrix probe.",
        "visibility": "public",
        "reason": "Matrix probe.",
        "note": "Matrix probe.",
        "tier": "L3",
        "assignee": world.engineer.pk,
        "minutes": "15",
        "message": "Matrix probe.",
        "escalate": "on",
        "spr_number": "SPR-PROBE",
        "category": "server_unresponsive",
        "total_users": "10",
        "affected_users": "5",
        "actions_taken": "Probe.",
        "down_since": "2026-01-01T08:00",
        "contact_name": "Probe",
        "contact_phone": "+1 555 0199",
        "contact_email": "probe@matrix.example",
        "contact_on_site": "on",
        "contact_speaks_english": "on",
        "case": world.rich.number,
        "cases": [world.rich.number, world.fresh.number],
        "requester": world.carol.email,
        "helpful": "yes",
        "language": "en",
        "timezone": "UTC",
        "month": "2026-01",
        "q": "Zebrafish",
        "email": "nobody@matrix.example",
        "published": "on",
        "next": "/",
    }


def _allowed(name: str, route: str) -> bool:
    return name in ALLOW_LIST or route in ALLOW_LIST


def _shape(route: str) -> str:
    """A route with its parameters blanked, to compare resolver routes and schema paths."""
    return "/" + _ANY_PARAMETER.sub("{}", route.lstrip("/"))


def build_probes(world: World) -> list[Probe]:
    values = path_values(world)
    queries = query_variants(world)
    api_json, form = api_body(world), form_body(world)
    probes: list[Probe] = []
    schema_shapes = set()
    resolver_names = {_shape(r.route): r.name for r in walk_routes()}

    for method, path, operation in schema_operations():
        schema_shapes.add(_shape(path))
        name = resolver_names.get(_shape(path), path)
        if _allowed(name, path):
            continue
        bound = _bound(path)
        query_names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for variant in ("rich", "fresh") if bound else ("list",):
            url = fill_openapi_path(path, values["rich" if variant == "list" else variant], world.rich.pk)
            query_sets = queries if "q" in query_names else queries[:1]
            for query in query_sets if query_names else [{}]:
                chosen = {key: value for key, value in query.items() if key in query_names}
                full = url + ("?" + urlencode(chosen) if chosen else "")
                probes.append(Probe("api", method, full, path, name, variant, bound, api_json))
    # PUT and DELETE on every API path that names one of C's objects (no route serves them
    # today: they must still answer nothing but a refusal).
    for shape_path in sorted({p.route for p in probes if p.door == "api" and p.bound}):
        for method in ("PUT", "DELETE"):
            for variant in ("rich", "fresh"):
                url = fill_openapi_path(shape_path, values[variant], world.rich.pk)
                name = resolver_names.get(_shape(shape_path), shape_path)
                probes.append(Probe("api", method, url, shape_path, name, variant, True, api_json))

    for route in walk_routes():
        if _allowed(route.name, route.route):
            continue
        if route.route.startswith("admin/"):
            # The admin answers every method the same way for people who are not admin-site
            # users (a redirect to its login): one GET per route, with C's object in it.
            url = fill_route(route.route, values["rich"], world.rich.pk)
            probes.append(Probe("browser", "GET", url, route.route, route.name, "rich", _bound(route.route)))
            continue
        is_api = route.route.startswith("api/")
        if is_api and _shape(route.route) in schema_shapes:
            continue  # probed through the schema above
        door = "api" if is_api else "browser"
        bound = _bound(route.route)
        body = api_json if is_api else form
        for variant in ("rich", "fresh") if bound else ("list",):
            url = fill_route(route.route, values["rich" if variant == "list" else variant], world.rich.pk)
            for method in ("GET", "POST"):
                query_sets = queries if (method == "GET" and not bound) else queries[:1]
                for query in query_sets:
                    full = url + "?" + urlencode(query) if method == "GET" else url
                    probes.append(Probe(door, method, full, route.route, route.name, variant, bound, body))
    return probes


def ghost_url(probe: Probe, world: World, values: dict[str, dict[str, Any]]) -> str:
    """The same request, naming objects that do not exist."""
    if probe.door == "api" and "{" in probe.route:
        url = fill_openapi_path(probe.route, values["ghost"], 999_999)
    else:
        url = fill_route(probe.route, values["ghost"], 999_999)
    query = probe.url.partition("?")[2]
    return url + ("?" + query if query else "")


# --- The matrix -------------------------------------------------------------------------------


@pytest.fixture
def world(engineer, manager, director, settings):  # type: ignore[no-untyped-def]
    # The inbound webhook answers 503 while unconfigured; configured, it refuses a wrong secret.
    settings.INBOUND_WEBHOOK_SECRET = "matrix-webhook-secret"
    return build_world(engineer=engineer, manager=manager, director=director)


def probe_once(
    actor: Actor,
    probe: Probe,
    world: World,
    values: dict[str, dict[str, Any]],
    before: dict[str, Any] | None,
    failures: list[str],
) -> tuple[Result, dict[str, Any] | None]:
    """Send one request and judge it (see the module docstring); adds to ``failures`` and
    returns the result and C's fingerprint after it."""
    response = actor.send(probe)
    text = response_text(response)
    found = find_canaries(text, world.canaries)
    result = Result(actor.name, probe, response.status_code, found, is_login_redirect(response))
    where = f"{actor.name}: {probe.method} {probe.url} [{probe.variant}]"
    if response.status_code >= 500:
        failures.append(f"{where} -> {response.status_code} server error")
    if actor.staff:
        return result, before
    if found:
        failures.append(f"{where} -> {response.status_code} with canaries {found}")
    after = fingerprint(world)
    if after != before:
        failures.append(f"{where} -> {response.status_code} changed C: {describe_change(before or {}, after)}")
    if probe.bound and response.status_code != 404:
        refusal = response.status_code in (401, 403, 405) or result.login_redirect
        if not refusal:
            failures.append(f"{where} -> {response.status_code} for C's object (expected 404)")
        elif actor.user is not None:
            # A refusal is only harmless when a missing object gets the very same one.
            ghost = actor.send(probe, ghost_url(probe, world, values))
            same = ghost.status_code == response.status_code and is_login_redirect(ghost) == result.login_redirect
            if not same:
                failures.append(
                    f"{where} -> {response.status_code}, but {ghost.status_code} for an object that "
                    "does not exist: the answer tells C's object exists"
                )
    return result, after


def run_matrix(world: World) -> dict[str, Any]:
    probes = build_probes(world)
    values = path_values(world)
    actors = [
        Actor("anonymous", None),
        Actor("ann (A)", world.ann),
        Actor("ben (A+B)", world.ben),
        Actor("engineer", world.engineer),
        Actor("manager", world.manager),
    ]
    sweep_outbox()  # the world's own mails are out of the way (and show what staff are told)
    staff_addresses = {u.email for u in (world.engineer, world.manager, world.director)}
    mailed_to_staff = {
        kind
        for message in mail.outbox
        if set(message.to) & staff_addresses
        for kind in find_canaries(f"{message.subject}\n{message.body}", world.canaries)
    }
    mail.outbox.clear()
    first_outbox_id = (OutboxEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    failures: list[str] = []
    results: list[Result] = []
    seconds: dict[str, float] = {}
    for actor in actors:
        started = time.monotonic()
        before = None if actor.staff else fingerprint(world)
        for probe in probes:
            if actor.name == "manager" and probe.method != "GET" and probe.name not in MANAGER_WRITES:
                # The engineer already put every staff write through the matrix; the manager
                # differs in what they may read (figures, escalations) and in the writes below.
                continue
            result, before = probe_once(actor, probe, world, values, before, failures)
            results.append(result)
        seconds[actor.name] = round(time.monotonic() - started, 1)

    sweep_outbox()
    emails = check_emails(world, first_outbox_id, failures)
    return {
        "probes": probes,
        "results": results,
        "failures": failures,
        "emails": emails,
        "mailed_to_staff": mailed_to_staff,
        "seconds": seconds,
    }


def check_emails(world: World, first_outbox_id: int, failures: list[str]) -> int:
    """No e-mail with a canary to anybody but C's members and the staff; returns how many
    e-mails were looked at (outbox rows queued during the matrix and mails delivered)."""
    allowed = world.c_people
    rows = list(OutboxEmail.objects.filter(pk__gte=first_outbox_id))
    for row in rows:
        found = find_canaries(f"{row.subject}\n{row.body_text}\n{row.body_html}", world.canaries)
        if found and row.to.lower() not in allowed:
            failures.append(f"outbox #{row.pk} to {row.to} ({row.template}) carries canaries {found}")
    for message in mail.outbox:
        parts = [message.subject, message.body, *(content for content, _type in getattr(message, "alternatives", []))]
        parts += [f"{key}: {value}" for key, value in message.extra_headers.items()]
        found = find_canaries("\n".join(str(part) for part in parts), world.canaries)
        recipients = [address.lower() for address in [*message.to, *message.cc, *message.bcc]]
        strangers = [address for address in recipients if address not in allowed]
        if found and strangers:
            failures.append(f"e-mail {message.subject!r} to {strangers} carries canaries {found}")
    return len(rows) + len(mail.outbox)


# What staff must get: their access is the intended one (not more, not less).
STAFF_EXPECTATIONS = [
    # (actor, method, URL name, variant, expected status or "login"/"redirect")
    ("engineer", "GET", "api-case", "rich", 200),
    ("manager", "GET", "api-case", "fresh", 200),
    ("engineer", "GET", "cases:workspace", "rich", 200),
    ("engineer", "GET", "cases:attachment", "fresh", 200),  # the internal file
    ("engineer", "GET", "api-case-time", "rich", 200),
    ("engineer", "GET", "api-organization-billing", "rich", 200),
    # Customer-only actions stay refused to staff.
    ("engineer", "POST", "api-case-confirm", "fresh", 403),
    ("manager", "POST", "api-case-confirm", "fresh", 403),
    ("engineer", "POST", "api-case-withdraw", "fresh", 403),
    ("manager", "POST", "api-feedback", "list", 403),
    ("engineer", "GET", "escalation:feedback", "rich", 403),
    ("engineer", "POST", "cases:confirm", "fresh", 403),
    # The customer portal sends staff to their own pages.
    ("engineer", "GET", "cases:log", "list", "redirect"),
    ("engineer", "GET", "cases:tracker", "list", "redirect"),
    # Managers' pages are for managers.
    ("engineer", "GET", "insights:figures", "list", 403),
    ("engineer", "GET", "escalation:mine", "list", 403),
    ("manager", "GET", "insights:figures", "list", 200),
    ("manager", "GET", "escalation:mine", "list", 200),
    # Provisioning is for administrators only.
    ("manager", "POST", "api-users", "list", 403),
    ("manager", "POST", "api-organizations", "list", 403),
]


MANAGER_WRITES = {name for actor, method, name, _v, _e in STAFF_EXPECTATIONS if actor == "manager" and method != "GET"}
MANAGER_WRITES |= {"api-case-escalation-acknowledge", "escalation:acknowledge"}


def check_staff(results: list[Result], world: World, mailed_to_staff: set[str]) -> list[str]:
    problems = []
    for actor, method, name, variant, expected in STAFF_EXPECTATIONS:
        got = [
            r
            for r in results
            if (r.actor, r.probe.method, r.probe.name, r.probe.variant) == (actor, method, name, variant)
        ]
        if not got:
            problems.append(f"no probe {method} {name} [{variant}] for {actor}")
            continue
        for result in got:
            ok = (
                result.status in (301, 302, 303) and not result.login_redirect
                if expected == "redirect"
                else result.status == expected
            )
            if not ok:
                problems.append(f"{actor}: {method} {result.probe.url} -> {result.status}, expected {expected}")
    seen = {kind for r in results if r.actor in ("engineer", "manager") for kind in r.canaries}
    # The E-Down questionnaire's answers reach staff by e-mail (the alert), not on a page.
    seen |= mailed_to_staff
    missing = sorted(set(world.canaries) - seen)
    if missing:
        problems.append(f"canaries staff never saw (the leak check would be blind to them): {missing}")
    return problems


@pytest.mark.postgres
def test_nobody_outside_c_reads_or_changes_anything_of_c(world, figure):
    outcome = run_matrix(world)
    results: list[Result] = outcome["results"]
    failures: list[str] = outcome["failures"]
    failures += check_staff(results, world, outcome["mailed_to_staff"])
    print("seconds per actor:", outcome["seconds"])

    outsiders = [r for r in results if r.actor in ("anonymous", "ann (A)", "ben (A+B)")]
    staff = [r for r in results if r.actor not in ("anonymous", "ann (A)", "ben (A+B)")]
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures[:200])
    n = len(outsiders)
    figure(
        "Cross-tenant matrix",
        f"{n} requests, 0 cross-tenant reads or writes, 0 canary hits in {n} responses and "
        f"{outcome['emails']} e-mails (+{len(staff)} staff requests with their intended access)",
    )


def test_the_probes_cover_every_schema_operation_and_browser_route(world):
    """The generated list really holds every operation and route (minus the allow-list),
    each bound route with both sets of C's objects."""
    probes = build_probes(world)
    operations = {(method, path) for method, path, _op in schema_operations()}
    probed = {(p.method, p.route) for p in probes if p.door == "api"}
    skipped = {(m, p) for m, p in operations if "schema" in p}
    assert operations - skipped <= probed
    routes = [r for r in walk_routes() if not _allowed(r.name, r.route) and not r.route.startswith("api/")]
    browser = {p.route for p in probes if p.door == "browser"}
    assert {r.route for r in routes} <= browser
    assert len(routes) > 100  # the admin is walked too
    for route in ("cases/<str:number>/", "attachments/<int:attachment_id>/", "organizations/<int:pk>/billing/"):
        variants = {p.variant for p in probes if p.route == route}
        assert variants == {"rich", "fresh"}, route
    assert any("customer_number=ACME-1&" in p.url for p in probes)
    assert any(f"organization={world.org_c.pk}" in p.url for p in probes)


def test_a_customer_number_is_matched_whole_never_as_a_prefix(world, api):
    """C's "ACME-1" is a prefix of A's "ACME-10" and B's "ACME-100": searching for one finds
    that organization's cases only."""
    staff = api(world.engineer)

    def numbers(query: str) -> set[str]:
        body = staff.get("/api/v1/cases/", {"q": query}).json()
        return {row["number"] for row in body["results"]}

    assert numbers("ACME-1") == {world.rich.number, world.fresh.number}
    assert numbers("ACME-10") == {world.a_case.number}
    assert numbers("ACME-100") == {world.b_case.number}
    # Ann and Ben search for C's number: nothing, not their own ACME-10 / ACME-100 cases either.
    assert api(world.ann).get("/api/v1/cases/", {"q": "ACME-1"}).json()["count"] == 0
    assert api(world.ben).get("/api/v1/cases/", {"q": "ACME-1"}).json()["count"] == 0
    assert api(world.ben).get("/api/v1/cases/", {"organization": world.org_c.pk}).json()["count"] == 0
    browser = Client()
    browser.force_login(world.engineer)
    page = browser.get("/staff/", {"queue": "all", "customer_number": "ACME-1"}).content.decode()
    assert world.rich.number in page and world.fresh.number in page
    assert world.a_case.number not in page and world.b_case.number not in page


def test_the_canary_check_would_see_a_leak(world):
    """Guard against a blind matrix: C's own customer sees her case's public canaries and
    none of the internal ones, through the same helpers the matrix uses."""
    carol = Client()
    carol.force_login(world.carol)
    page = response_text(carol.get(f"/cases/{world.rich.number}/"))
    found = set(find_canaries(page, world.canaries))
    assert {"title", "description", "message", "reply", "orgname"} <= found
    assert not found & set(STAFF_ONLY_CANARIES), found & set(STAFF_ONLY_CANARIES)
    download = carol.get(f"/attachments/{world.public_file.pk}/")
    assert download.status_code == 200
    assert "filebody" in find_canaries(response_text(download), world.canaries)
    assert carol.get(f"/attachments/{world.secret_file.pk}/").status_code == 404


@pytest.mark.postgres  # the fingerprint of C's rows is PostgreSQL SQL (md5, string_agg), as in the matrix
def test_the_matrix_reports_a_leaky_selector(world, monkeypatch):
    """Guard against a matrix that cannot fail: with the organization scope broken (Ann
    counted as a member of C), the same judging code names the offending URLs."""
    from cases import permissions, selectors

    real = selectors.member_organization_ids
    for module in (selectors, permissions):
        monkeypatch.setattr(module, "member_organization_ids", lambda user: [*real(user), world.org_c.pk])
    probes = [
        p
        for p in build_probes(world)
        if (p.name, p.method, p.variant) in {("api-case", "GET", "rich"), ("cases:withdraw", "POST", "fresh")}
    ]
    values = path_values(world)
    ann = Actor("ann (A)", world.ann)
    failures: list[str] = []
    before = fingerprint(world)
    for probe in probes:
        _result, before = probe_once(ann, probe, world, values, before, failures)

    text = "\n".join(failures)
    assert f"GET /api/v1/cases/{world.rich.number}/ [rich] -> 200 with canaries" in text
    assert f"GET /api/v1/cases/{world.rich.number}/ [rich] -> 200 for C's object (expected 404)" in text
    assert f"POST /cases/{world.fresh.number}/withdraw/ [fresh] -> 302 changed C: " in text
