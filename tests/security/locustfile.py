"""Mixed traffic for the load test (``test_load_locust.py`` runs it headless on loopback).

The people and cases come from the JSON file named by ``LOCUST_WORLD`` (written by the
test): e-mail addresses, the shared password, API tokens and case numbers.

- ``Customer`` (browser session): reads the Case Tracker and cases, replies on them,
  logs new cases through the Case Logger form.
- ``Engineer`` (browser session): opens dashboard queues, works cases in the
  workspace (found on the dashboard), replies to customers.
- ``EscalatingCustomer`` (API token): logs a case, declares Enterprise Down on it and
  escalates it to management.
- ``Manager`` (API token): reads the escalations routed to them and acknowledges them.

Every answer below 500 that the flow expects counts as a success; a 5xx, or a refusal
the flow does not expect (a 403 from a lost CSRF token, say), is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, task

WORLD = json.loads(open(os.environ["LOCUST_WORLD"], encoding="utf-8").read())  # noqa: SIM115
CASE_LINK = re.compile(r'href="/cases/(C-\d+)/"')
WORKSPACE_LINK = re.compile(r'href="/staff/cases/(C-\d+)/"')
QUEUES = ["open", "unassigned", "mine", "edown", "escalated", "waiting"]
_accounts = {kind: itertools.cycle(WORLD[kind]) for kind in ("customers", "engineers", "escalators", "managers")}


def check(response, *expected: int) -> None:  # type: ignore[no-untyped-def]
    """Success when the status is one the flow expects, else a failure naming it."""
    if response.status_code in expected:
        response.success()
    else:
        response.failure(f"unexpected {response.status_code}")


class BrowserUser(HttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.account = next(_accounts[self.kind])
        self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["email"],
                "password": WORLD["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="log in",
            catch_response=True,
        ) as response:
            # A successful login redirects (followed to the home page).
            check(response, 200)
            if "/accounts/login/" in response.url:
                response.failure("still on the login page")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post_form(self, url: str, data: dict, name: str, *expected: int):  # type: ignore[no-untyped-def]
        with self.client.post(
            url, data={**data, "csrfmiddlewaretoken": self.csrf()}, name=name, catch_response=True
        ) as response:
            check(response, *expected)
            return response


class Customer(BrowserUser):
    weight = 4
    kind = "customers"
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        super().on_start()
        self.cases = list(self.account["cases"])

    @task(4)
    def read_tracker(self) -> None:
        with self.client.get("/cases/", name="tracker", catch_response=True) as response:
            check(response, 200)
            found = CASE_LINK.findall(response.text)
            if found:
                self.cases = sorted(set(found) | set(self.cases))

    @task(4)
    def read_case(self) -> None:
        number = random.choice(self.cases)
        with self.client.get(f"/cases/{number}/", name="case page", catch_response=True) as response:
            check(response, 200)

    @task(2)
    def post_message(self) -> None:
        number = random.choice(self.cases)
        # 409 when the case was closed meanwhile (withdrawn, confirmed): the page says so.
        self.post_form(
            f"/cases/{number}/reply/", {"body": "Here is the output you asked for."}, "reply (customer)", 200, 409
        )

    @task(1)
    def log_case(self) -> None:
        with self.client.get("/cases/new/", name="case logger", catch_response=True) as response:
            check(response, 200)
        response = self.post_form(
            "/cases/new/",
            {
                "title": f"Load test: slow reports {random.randint(1, 10**6)}",
                "description": "Reports take minutes to open since the upgrade.",
                "severity": "medium",
                "request_type": "incident",
                "product": "Reports",
                "version": "4.2",
            },
            "log case (web)",
            200,
        )
        match = re.search(r"/cases/(C-\d+)/$", response.url or "")
        if match:
            self.cases.append(match.group(1))
        else:
            response.failure("logging a case did not lead to the new case's page")


class Engineer(BrowserUser):
    weight = 3
    kind = "engineers"
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        super().on_start()
        self.cases = list(WORLD["all_cases"])

    @task(4)
    def dashboard(self) -> None:
        queue = random.choice(QUEUES)
        with self.client.get(f"/staff/?queue={queue}", name="dashboard queue", catch_response=True) as response:
            check(response, 200)
            found = WORKSPACE_LINK.findall(response.text)
            if found:
                self.cases = sorted(set(found) | set(self.cases))[-200:]

    @task(3)
    def workspace(self) -> None:
        number = random.choice(self.cases)
        with self.client.get(f"/staff/cases/{number}/", name="workspace", catch_response=True) as response:
            check(response, 200)

    @task(2)
    def reply(self) -> None:
        number = random.choice(self.cases)
        self.post_form(
            f"/staff/cases/{number}/message/",
            {"body": "Thanks, we are looking at it now.", "visibility": "public"},
            "reply (engineer)",
            200,
            409,
        )


class ApiUser(HttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.account = next(_accounts[self.kind])
        self.client.headers["Authorization"] = f"Token {self.account['token']}"


class EscalatingCustomer(ApiUser):
    weight = 1
    kind = "escalators"
    wait_time = between(1.0, 3.0)

    @task
    def declare_and_escalate(self) -> None:
        with self.client.post(
            "/api/v1/cases/",
            json={
                "title": f"Load test: cluster down {random.randint(1, 10**6)}",
                "description": "Nobody can log in to production.",
                "severity": "critical",
                "request_type": "incident",
            },
            name="log case (api)",
            catch_response=True,
        ) as response:
            check(response, 201)
            if response.status_code != 201:
                return
            number = response.json()["number"]
        down_since = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
        with self.client.post(
            f"/api/v1/cases/{number}/edown/",
            json={
                "category": "users_cannot_access",
                "total_users": 400,
                "affected_users": 400,
                "actions_taken": "Restarted the application servers.",
                "down_since": down_since,
                "contact": {
                    "name": "Night operator",
                    "phone": "+1 555 0100",
                    "email": self.account["email"],
                    "on_site": True,
                    "speaks_english": True,
                },
            },
            name="declare E-Down",
            catch_response=True,
        ) as response:
            check(response, 201)
        with self.client.post(
            f"/api/v1/cases/{number}/escalations/",
            json={"reason": "Production is down for everyone."},
            name="escalate",
            catch_response=True,
        ) as response:
            check(response, 201)


class Manager(ApiUser):
    weight = 1
    kind = "managers"
    wait_time = between(1.0, 3.0)

    @task
    def acknowledge(self) -> None:
        with self.client.get("/api/v1/escalations/", name="my escalations", catch_response=True) as response:
            check(response, 200)
            if response.status_code != 200:
                return
            waiting = [e for e in response.json()["results"] if not e.get("acknowledged_at")]
        for escalation in waiting[:3]:
            number = escalation["case"]  # the case number
            with self.client.post(
                f"/api/v1/cases/{number}/escalations/{escalation['id']}/acknowledge/",
                name="acknowledge",
                catch_response=True,
            ) as response:
                # 409: another manager session acknowledged it first.
                check(response, 200, 409)
