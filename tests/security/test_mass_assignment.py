"""MASS ASSIGNMENT: what only the workflow or staff may set cannot be set by a customer,
and what only staff may read never reaches a customer's JSON.

tests/cases/test_api_log_case_ignores_protected_fields.py covers the basic workflow fields
on ``POST /api/v1/cases/``; this module covers the rest of that endpoint's model, every
other customer write of the API, the browser forms, and the read side.

Each write sends the protected fields next to a valid request and then reads the rows:
a field is either ignored (the row holds what the workflow sets) or refused with a 4xx
that names it, and nothing else changed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Membership, User
from cases import services
from cases.models import Case, CaseEvent, Channel, Message
from escalation.models import Escalation
from escalation.services import escalate_case, link_spr
from knowledge.services import create_article
from tests.factories import CaseFactory, OrganizationFactory
from tests.security.tenancy_world import fill_openapi_path, schema_operations

pytestmark = [pytest.mark.security]

# Everything on a case that the workflow (or staff) sets, with a value a customer might try.
PROTECTED = {
    "status": "closed",
    "tier": "L4",
    "escalation_level": "M2",
    "severity_rank": 0,
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "closed_at": "2001-01-02T00:00:00Z",
    "close_reason": "confirmed",
    "status_changed_at": "2001-01-01T00:00:00Z",
    "sla_due_at": "2099-01-01T00:00:00Z",
    "first_response_due_at": "2099-01-01T00:00:00Z",
    "next_update_due_at": "2099-01-01T00:00:00Z",
    "first_response_at": "2001-01-01T00:00:00Z",
    "auto_close_at": "2001-01-03T00:00:00Z",
    "spr_number": "SPR-BY-CUSTOMER",
    "spr_escalated": True,
    "hours_spent": 99,
    "spent_minutes": 5940,
    "billable_minutes": 600,
    "message_count": 42,
    "internal": True,
    "created_by": None,  # filled with the engineer's id below
    "assignee": None,  # idem
    "number": "C-000001",
    "id": 1,
}


def protected(engineer: User, **extra: Any) -> dict[str, Any]:
    return {**PROTECTED, "created_by": engineer.pk, "assignee": engineer.pk, **extra}


def case_row(case: Case) -> dict[str, Any]:
    return Case.objects.filter(pk=case.pk).values().get()


@pytest.fixture
def acme_case(acme, alice, engineer):  # type: ignore[no-untyped-def]
    """An open case of Acme, assigned to the engineer."""
    case = services.log_case(
        actor=alice,
        title="Backups fail every night",
        description="Since 7.2 the nightly backup stops at 40%.",
        severity="high",
        request_type="incident",
        organization=acme,
    )
    return services.assign_case(case=case, actor=engineer, assignee=engineer, channel=Channel.API)


# --- API writes ---------------------------------------------------------------------------------


def test_logging_a_case_ignores_every_workflow_field_of_the_model(api, alice, acme, engineer):
    response = api(alice).post(
        "/api/v1/cases/",
        {
            "title": "Disk full",
            "description": "The log volume is full.",
            "severity": "low",
            "request_type": "incident",
            **protected(engineer),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    row = case_row(case)
    assert (row["status"], row["tier"], row["escalation_level"], row["assignee_id"]) == ("new", "L1", "none", None)
    assert row["severity_rank"] == 4  # from the severity "low", not the 0 sent
    assert row["created_by_id"] == alice.pk and row["organization_id"] == acme.pk and row["requester_id"] == alice.pk
    for name in ("closed_at", "first_response_at", "auto_close_at"):
        assert row[name] is None, name
    assert row["created_at"].year != 2001 and row["updated_at"].year != 2001
    assert row["sla_due_at"] is None or row["sla_due_at"].year != 2099
    assert (row["spr_number"], row["spr_escalated"]) == ("", False)
    assert (row["spent_minutes"], row["billable_minutes"], row["message_count"]) == (0, 0, 0)
    assert not Message.objects.filter(internal=True).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requester", "oscar"),  # somebody else's name on the case
        ("channel", "phone"),  # only staff record calls
        ("channel", "email"),  # only the mail intake logs by e-mail
        ("organization", "globex"),
    ],
)
def test_logging_a_case_refuses_what_would_change_whose_case_it_is(api, alice, oscar, globex, field, value):
    sent = {"oscar": oscar.pk, "globex": globex.pk}.get(value, value)
    response = api(alice).post(
        "/api/v1/cases/",
        {"title": "Disk full", "description": "Full.", "severity": "low", "request_type": "incident", field: sent},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Case.objects.exists()


def test_a_customer_message_cannot_be_internal_nor_forged(api, alice, acme_case, engineer, oscar):
    other = CaseFactory(requester=oscar, organization=oscar.memberships.get().organization)
    url = f"/api/v1/cases/{acme_case.number}/messages/"

    refused = api(alice).post(url, {"body": "Hidden?", "internal": True}, format="json")
    forged = api(alice).post(
        url,
        {
            "body": "Hello.",
            "author": engineer.pk,
            "created_at": "2001-01-01T00:00:00Z",
            "case": other.number,
            "id": 1,
            "body_html": "<script>alert(1)</script>",
        },
        format="json",
    )

    assert refused.status_code == 400 and "internal" in refused.json()
    assert forged.status_code == 201, forged.json()
    [message] = Message.objects.all()
    assert (message.case_id, message.author_id, message.internal) == (acme_case.pk, alice.pk, False)
    assert message.created_at.year != 2001 and "<script>" not in message.body_html
    assert not other.messages.exists()


def test_changing_severity_changes_the_severity_only(api, alice, acme_case, engineer):
    before = case_row(acme_case)

    response = api(alice).post(
        f"/api/v1/cases/{acme_case.number}/severity/",
        {"severity": "critical", "reason": "Production is affected.", **protected(engineer, severity_rank=4)},
        format="json",
    )

    assert response.status_code == 200, response.json()
    after = case_row(acme_case)
    assert (after["severity"], after["severity_rank"]) == ("critical", 1)
    for name in ("status", "tier", "escalation_level", "assignee_id", "closed_at", "spr_number", "message_count"):
        assert after[name] == before[name], name


def test_an_escalation_steps_one_level_to_the_routed_manager_whatever_is_sent(
    api, alice, acme_case, engineer, director
):
    response = api(alice).post(
        f"/api/v1/cases/{acme_case.number}/escalations/",
        {
            "reason": "Nobody answers.",
            "level": "M2",
            "manager": director.pk,
            "requested_by": engineer.pk,
            "acknowledged_at": "2001-01-01T00:00:00Z",
            "acknowledged_by": director.pk,
            **protected(engineer),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    [escalation] = Escalation.objects.all()
    assert (escalation.level, escalation.manager_id, escalation.requested_by_id) == (
        "M1",
        engineer.manager_id,
        alice.pk,
    )
    assert escalation.acknowledged_at is None and escalation.acknowledged_by is None
    assert case_row(acme_case)["escalation_level"] == "M1"


def test_a_customer_escalation_by_phone_is_refused(api, alice, acme_case):
    response = api(alice).post(
        f"/api/v1/cases/{acme_case.number}/escalations/", {"reason": "Urgent.", "channel": "phone"}, format="json"
    )

    assert response.status_code == 400 and "channel" in response.json()
    assert not Escalation.objects.exists()


def test_feedback_cannot_set_the_escalation_level(api, alice, acme_case, engineer):
    before = case_row(acme_case)

    response = api(alice).post(
        "/api/v1/feedback/",
        {"case": acme_case.number, "message": "Not happy.", "escalate": False, **protected(engineer)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    row = case_row(acme_case)
    assert (row["escalation_level"], row["status"], row["tier"]) == ("none", before["status"], "L1")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("assign/", {"assignee": "me"}, None),
        ("tier/", {"tier": "L4", "note": "Take it."}, None),
        ("time/", {"minutes": 600, "billable": True, "note": "Me."}, None),
        ("spr/", {"spr_number": "SPR-1", "escalated": True}, None),
        ("request-info/", {"body": "Tell me."}, None),
        ("propose-solution/", {"body": "Solved."}, None),
        ("messages/", {"body": "Note.", "internal": True}, "internal"),
        ("messages/", {"body": "Called.", "channel": "phone"}, "channel"),
        ("severity/", {"severity": "low", "reason": "Calm.", "channel": "phone"}, "channel"),
    ],
)
def test_staff_only_writes_are_refused_to_a_customer(api, alice, acme_case, engineer, path, body, field):
    body = {key: alice.pk if value == "me" else value for key, value in body.items()}
    before = case_row(acme_case)
    counts = (Message.objects.count(), CaseEvent.objects.count(), acme_case.time_entries.count())

    response = api(alice).post(f"/api/v1/cases/{acme_case.number}/{path}", body, format="json")

    assert response.status_code in (400, 403), response.content
    if field:
        assert field in response.json()
    assert case_row(acme_case) == before
    assert (Message.objects.count(), CaseEvent.objects.count(), acme_case.time_entries.count()) == counts


def test_a_customer_cannot_promote_themselves(api, alice, globex):
    before = User.objects.filter(pk=alice.pk).values().get()

    own = api(alice).patch(
        f"/api/v1/users/{alice.pk}/",
        {"available": False, "role": "admin", "is_staff": True, "is_superuser": True, "tier": "L4"},
        format="json",
    )
    switch = api(alice).post("/api/v1/me/active-organization/", {"organization": globex.pk}, format="json")
    created = api(alice).post(
        "/api/v1/users/",
        {"email": "mole@acme.example", "password": "x" * 20, "role": "admin", "memberships": []},
        format="json",
    )

    assert own.status_code == 403
    assert switch.status_code == 400 and "organization" in switch.json()
    assert created.status_code == 403
    assert User.objects.filter(pk=alice.pk).values().get() == before
    assert not User.objects.filter(email="mole@acme.example").exists()
    assert not Membership.objects.filter(user=alice, organization=globex).exists()


# --- Browser forms ------------------------------------------------------------------------------


def test_the_case_logger_ignores_workflow_fields_and_refuses_a_foreign_organization(
    browser_for, alice, acme, globex, engineer
):
    # A second organization of Alice's: the form then offers a choice of organization.
    Membership.objects.create(user=alice, organization=OrganizationFactory(name="Initech", customer_number="INIT-9"))
    browser = browser_for(alice)
    fields = {"title": "Disk full", "description": "Full.", "severity": "low", "request_type": "incident"}
    extra = {key: value for key, value in protected(engineer).items() if value is not None}
    extra["requester"] = engineer.pk

    foreign = browser.post("/cases/new/", {**fields, **extra, "organization": globex.pk})
    assert foreign.status_code == 400
    assert "organization" in foreign.context["form"].errors
    assert not Case.objects.exists()

    logged = browser.post("/cases/new/", {**fields, **extra, "organization": acme.pk})
    assert logged.status_code == 302, getattr(logged, "context", None) and logged.context["form"].errors
    row = case_row(Case.objects.get())
    assert (row["organization_id"], row["requester_id"], row["created_by_id"]) == (acme.pk, alice.pk, alice.pk)
    assert (row["status"], row["tier"], row["escalation_level"], row["assignee_id"]) == ("new", "L1", "none", None)
    assert (row["severity_rank"], row["spr_number"], row["spent_minutes"], row["channel"]) == (4, "", 0, "web")
    assert row["created_at"].year != 2001 and row["closed_at"] is None


def test_a_customer_reply_from_the_browser_is_never_internal(browser_for, alice, acme_case, engineer):
    response = browser_for(alice).post(
        f"/cases/{acme_case.number}/reply/",
        {"body": "Any news?", "internal": "on", "visibility": "internal", "author": engineer.pk, "channel": "phone"},
    )

    assert response.status_code == 302
    [message] = Message.objects.all()
    assert (message.internal, message.author_id, message.channel) == (False, alice.pk, "web")


def test_the_workspace_message_form_is_refused_to_a_customer(browser_for, alice, acme_case):
    response = browser_for(alice).post(
        f"/staff/cases/{acme_case.number}/message/", {"body": "Psst.", "visibility": "internal"}
    )

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_profile_form_changes_the_preferences_only(browser_for, alice, globex):
    before = User.objects.filter(pk=alice.pk).values().get()

    response = browser_for(alice).post(
        "/accounts/profile/",
        {
            "name": "Alice A.",
            "language": "fr",
            "timezone": "Europe/Paris",
            "role": "admin",
            "is_staff": "on",
            "is_superuser": "on",
            "tier": "L4",
            "email": "boss@vendor.example",
            "active_organization": globex.pk,
            "available": "",
        },
    )

    assert response.status_code == 302
    after = User.objects.filter(pk=alice.pk).values().get()
    assert (after["name"], after["language"], after["timezone"]) == ("Alice A.", "fr", "Europe/Paris")
    unchanged = {k: v for k, v in before.items() if k not in ("name", "language", "timezone", "last_login")}
    assert {k: after[k] for k in unchanged} == unchanged


def test_the_severity_form_changes_the_severity_only(browser_for, alice, acme_case, engineer):
    before = case_row(acme_case)

    response = browser_for(alice).post(
        f"/cases/{acme_case.number}/severity/",
        {"severity": "critical", "reason": "Worse.", "status": "closed", "escalation_level": "M2", "tier": "L4"},
    )

    assert response.status_code == 302
    after = case_row(acme_case)
    assert after["severity"] == "critical"
    assert (after["status"], after["escalation_level"], after["tier"]) == (
        before["status"],
        before["escalation_level"],
        before["tier"],
    )


# --- The read side: staff-only fields never reach a customer ----------------------------------

# Keys no customer JSON carries: credentials and admin flags, the internals of the
# engineers' time and of the audit trail, and the workflow's clocks.
FORBIDDEN_KEYS = {
    "password",
    "is_staff",
    "is_superuser",
    "last_login",
    "engineer",  # who logged time
    "public",  # the audit trail's visibility flag
    "created_by",
    "description_html",
    "sla_breach_alerted_at",
    "auto_close_at",
    "auto_close_reminder_at",
    "last_staff_reply_at",
    "context_args",
    "search_vector",
}
# Audit-trail kinds that are staff-only (internal notes, hand-overs, time, SPR, downloads).
STAFF_EVENT_KINDS = {"note", "tier", "time", "spr", "download"}
SECRETS = {
    "note": "zqsecretnote",
    "file": "zqsecretfile",
    "time": "zqsecrettime",
    "handover": "zqsecrethandover",
    "spr": "zqspr77",
}


@pytest.fixture
def case_with_internals(acme_case, alice, engineer, operator, director):  # type: ignore[no-untyped-def]
    """Acme's case after a full staff workflow: internal note with a file, time, a hand-over,
    M2 and an SPR, and a download by staff."""
    services.add_message(
        case=acme_case,
        author=engineer,
        body=f"Internal: {SECRETS['note']}",
        internal=True,
        channel=Channel.API,
        files=[SimpleUploadedFile(f"{SECRETS['file']}.txt", b"rows\n", content_type="text/plain")],
    )
    services.add_message(case=acme_case, author=engineer, body="Public reply.", channel=Channel.API)
    services.log_time(case=acme_case, actor=engineer, minutes=30, billable=False, note=SECRETS["time"], channel="api")
    services.change_tier(case=acme_case, actor=engineer, tier="L2", note=SECRETS["handover"], channel=Channel.API)
    escalate_case(case=acme_case, actor=alice, reason="Slow.", channel=Channel.WEB)
    escalate_case(case=acme_case, actor=operator, reason="Called.", channel=Channel.PHONE)
    link_spr(case=acme_case, actor=engineer, spr_number=SECRETS["spr"], escalated=True)
    staff = Client()
    staff.force_login(engineer)
    secret_file = acme_case.attachments.get(internal=True)
    assert staff.get(f"/attachments/{secret_file.pk}/").status_code == 200
    create_article(actor=engineer, title="How to restore", body="Restore.", language="en", published=True)
    acme_case.refresh_from_db()
    return acme_case


def walk_json(value: Any, path: str = "$") -> list[tuple[str, str, Any]]:
    """Every (path, key, value) of a JSON document."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((path, key, item))
            found += walk_json(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += walk_json(item, f"{path}[{index}]")
    return found


@pytest.mark.postgres
def test_no_customer_json_carries_a_staff_only_field(api, alice, acme, case_with_internals):
    case = case_with_internals
    values = {
        "number": case.number,
        "organizations/pk": acme.pk,
        "users/pk": alice.pk,
        "articles/pk": 1,
        "escalations/pk": case.escalations.first().pk,
    }
    client = api(alice)
    problems, documents = [], 0
    for method, path, _operation in schema_operations():
        if method != "GET":
            continue
        url = fill_openapi_path(path, values, case.pk)
        response = client.get(url, {"month": case.created_at.strftime("%Y-%m")})
        if "json" not in response.get("Content-Type", ""):
            continue
        documents += 1
        text = response.content.decode()
        for name, secret in SECRETS.items():
            if secret in text:
                problems.append(f"{url}: the {name} secret")
        for where, key, item in walk_json(json.loads(text)):
            if key in FORBIDDEN_KEYS:
                problems.append(f"{url}: key {where}.{key}")
            if key == "internal" and item is True:
                problems.append(f"{url}: {where} is internal")
            if key == "kind" and item in STAFF_EVENT_KINDS:
                problems.append(f"{url}: {where} is a staff-only {item} event")
            if key in ("spr_number", "spr_escalated") and item not in ("", False):
                problems.append(f"{url}: {where}.{key} = {item!r}")

    assert documents >= 15
    assert problems == []


def test_staff_still_see_the_spr(api, engineer, case_with_internals):
    body = api(engineer).get(f"/api/v1/cases/{case_with_internals.number}/").json()

    assert (body["spr_number"], body["spr_escalated"]) == (SECRETS["spr"], True)
