"""Schemathesis against the running product: no input breaks the API, every answer
matches the published schema, and no operation that requires a login answers without one.

The stack is the production one (gunicorn with 2 workers and ``DEBUG`` off, a Celery
worker, an SMTP sink: ``tests/security/live_stack.py``) on loopback. The schema is read
from the running server (``/api/v1/schema/``). For each operation Schemathesis generates
``SCHEMATHESIS_EXAMPLES`` (default 4) requests valid for the schema ("positive") and as
many invalid ones ("negative", where the operation has anything to get wrong); for an
operation with path parameters, as many again with real identifiers (case numbers,
escalation, article, mail, organization and user ids, other organizations' included),
so that generated bodies reach the views instead of stopping at a 404. Each generated
request is sent once per role, with that role's token: customer, customer of two
organizations, engineer, manager, operator, admin (the token exchange and the mail
webhook have one caller each: anyone, and the mail provider with its shared secret).
Every answer goes through Schemathesis' checks:

- ``not_a_server_error``: no 5xx, whatever the input;
- ``response_schema_conformance`` and ``content_type_conformance``: a documented answer
  has the documented shape and media type;
- ``ignored_auth``: when an operation succeeds with the token, the same request without
  credentials and with invalid ones must be refused (401/403);
- ``negative_data_rejection``: a request that breaks the schema is refused with a 4xx.

Then every operation that needs credentials is called on real objects with none and
with forged ones (401/403 expected), whether or not any role succeeded on it.

Left out, with reasons:

- ``status_code_conformance``: the schema documents the success answers; the error
  answers (400/401/403/404/409/429, always ``{"detail"}`` or ``{"field": [...]}``) are
  specified once for the whole API in API.md "Errors", not per operation, so every
  refusal would count as "undocumented". A 5xx is still caught by ``not_a_server_error``.
- ``positive_data_acceptance``: a request can be valid for the schema and still be
  refused by a business rule (confirming a case that has no proposed solution: 409,
  a customer assigning an engineer: 403); refusing it is the right answer.
- stateful and object-level-authorization checks: the cross-tenant matrix (issue #9
  item 1) proves tenancy with canaries, which these checks cannot see.

Besides Schemathesis' own verdict, gunicorn's access log is read afterwards: no line
of the run may carry a 5xx status, and its line count is the number of requests.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
)

from tests.security.live_stack import INBOUND_WEBHOOK_SECRET, build_world, live_stack  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.security]

ROLES = ["customer", "customer_two_orgs", "engineer", "manager", "operator", "admin"]
# Generated requests per operation and batch (each sent as every role). With 6 roles and
# 50 operations this is the knob that keeps the run within its time budget (~4 minutes).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CONCURRENCY = 2
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
]
# Path parameter → where its real values come from (World.identifiers keys).
ID_SOURCES = {
    "/api/v1/cases/{number}/escalations/{id}/": "escalations",
    "/api/v1/kb/articles/": "kb",
    "/api/v1/mail/": "mail",
    "/api/v1/organizations/": "organizations",
    "/api/v1/users/": "users",
}


def real_path_parameters(path: str, identifiers: dict[str, list]) -> st.SearchStrategy[dict]:
    """Real identifiers for an operation's path parameters (empty when it has none)."""
    chosen: dict[str, st.SearchStrategy] = {}
    if "{number}" in path:
        chosen["number"] = st.sampled_from(identifiers["number"])
    if "{id}" in path:
        source = next(key for prefix, key in ID_SOURCES.items() if path.startswith(prefix))
        chosen["id"] = st.sampled_from(identifiers[source])
    return st.fixed_dictionaries(chosen)


def can_be_negated(operation) -> bool:  # type: ignore[no-untyped-def]
    """Whether the operation has anything a request could get wrong: a body, or a
    parameter with a type or constraint (a bare string in the path accepts anything)."""
    raw = operation.definition.raw
    if raw.get("requestBody"):
        return True
    return any(
        not (parameter["in"] == "path" and parameter.get("schema") == {"type": "string"})
        for parameter in raw.get("parameters", [])
    )


class Run:
    """What the run saw: requests sent, answers by status, failures (all kept, none shrunk).

    The callers' requests for one generated case go out two at a time (gunicorn runs 2
    workers), each thread with its own HTTP session."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sent = 0
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=CONCURRENCY)

    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        session = self._local.session
        session.cookies.clear()  # only the credentials sent speak for the caller
        return session

    def send(self, case, role: str, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        case = case.derive()  # each caller its own copy of the generated request
        response = case.call(base_url=self.base_url, session=self.session(), headers=headers, timeout=30)
        found = []
        try:
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs={"base_url": self.base_url, "timeout": 30}
            )
        except FailureGroup as group:
            mode = case.meta.generation.mode.value if case.meta else "?"
            found = [
                f"{case.operation.label} as {role} [{mode}] {response.status_code}: {failure.title}\n"
                f"    {failure.message.strip()[:600]}\n"
                f"    curl: {case.as_curl_command(headers=headers)[:600]}"
                for failure in group.exceptions
            ]
        with self._lock:
            self.sent += 1
            self.statuses[response.status_code] += 1
            self.failures.extend(found)


def exercise(operation, *, mode, path_parameters, callers, run: Run) -> None:  # type: ignore[no-untyped-def]
    """Generate EXAMPLES requests for one operation and send each as every caller."""
    if path_parameters is None:
        strategy = operation.as_strategy(generation_mode=mode)
    else:
        strategy = path_parameters.flatmap(
            lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values or None)
        )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case) -> None:  # type: ignore[no-untyped-def]
        for outcome in [run.pool.submit(run.send, case, role, headers) for role, headers in callers.items()]:
            outcome.result()

    one()


def callers_of(operation, world) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Who calls the operation, with which credentials."""
    if operation.path == "/api/v1/mail/inbound/" and operation.method.upper() == "POST":
        # The mail provider's webhook, authenticated by its shared secret.
        return {"mail provider": {"Authorization": f"Bearer {INBOUND_WEBHOOK_SECRET}"}}
    if not operation.definition.raw.get("security", operation.schema.raw_schema.get("security")):
        return {"anyone": {}}  # POST /auth/token/: no credentials to send
    return {role: {"Authorization": f"Token {world.token(role)}"} for role in ROLES}


def refused_without_credentials(operations, identifiers: dict[str, list], base_url: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Every operation that needs credentials, called on real objects with none and with
    forged ones, must answer 401 or 403 (``ignored_auth`` above probes only operations
    that succeeded for some role). Returns (requests sent, bypasses)."""
    sent, bypasses = 0, []
    forged = ["Token 0123456789abcdef0123456789abcdef01234567", "Bearer not-the-secret", "Basic YWRhOmFkYQ=="]
    for operation in operations:
        if not operation.definition.raw.get("security", operation.schema.raw_schema.get("security")):
            if not (operation.path == "/api/v1/mail/inbound/" and operation.method.upper() == "POST"):
                continue  # POST /auth/token/ is where credentials are exchanged
        path = operation.path.replace("{number}", identifiers["number"][0])
        if "{id}" in path:
            source = next(key for prefix, key in ID_SOURCES.items() if operation.path.startswith(prefix))
            path = path.replace("{id}", str(identifiers[source][0]))
        for authorization in [None, *forged]:
            headers = {"Authorization": authorization} if authorization else {}
            response = requests.request(operation.method.upper(), base_url + path, json={}, headers=headers, timeout=30)
            sent += 1
            if response.status_code not in (401, 403):
                bypasses.append(f"{operation.label} with {authorization or 'no credentials'}: {response.status_code}")
    return sent, bypasses


def test_no_generated_request_breaks_the_api_for_any_role(live_stack, figure):  # noqa: F811
    world = build_world()
    identifiers = world.identifiers()
    base_url = live_stack.base_url
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    log_lines_before = len(live_stack.access_log())
    started = time.monotonic()

    run = Run(base_url)
    for operation in operations:
        callers = callers_of(operation, world)
        modes = [GenerationMode.POSITIVE]
        if can_be_negated(operation):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            exercise(operation, mode=mode, path_parameters=None, callers=callers, run=run)
        if "{" in operation.path:
            exercise(
                operation,
                mode=GenerationMode.POSITIVE,
                path_parameters=real_path_parameters(operation.path, identifiers),
                callers=callers,
                run=run,
            )
    probes, bypasses = refused_without_credentials(operations, identifiers, base_url)
    elapsed = time.monotonic() - started
    run.pool.shutdown()

    access_log = live_stack.access_log()[log_lines_before:]
    server_errors = [line for line in access_log if line.startswith("5")]
    by_kind = Counter(line.split(": ", 1)[1].split("\n", 1)[0] for line in run.failures)
    print(
        f"\nschemathesis: {run.sent} generated requests, {probes} credential probes ({len(access_log)} in all "
        "with the checks' own probes) "
        f"in {elapsed:.0f} s; statuses {dict(sorted(run.statuses.items()))}; failures by kind {dict(by_kind)}"
    )
    assert not bypasses, "answered without valid credentials:\n" + "\n".join(bypasses)
    assert not run.failures, f"{len(run.failures)} finding(s):\n" + "\n".join(run.failures[:60])
    assert not server_errors, "5xx in gunicorn's access log:\n" + "\n".join(server_errors[:30])
    assert run.statuses[200] + run.statuses[201] > len(operations), "too few requests got past validation to mean much"
    figure(
        "Schemathesis",
        f"{len(access_log)} requests over {len(operations)} operations, 0 server errors, "
        "0 schema violations, 0 auth bypasses",
    )
