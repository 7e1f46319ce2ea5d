"""The security audit log (accounts.AuditEntry): logins, denials, escalations, severity
changes, membership changes and downloads each leave a row, and nothing in the
application can rewrite that history (nor the case trail, CaseEvent).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEntry, HistoryRewriteRefused, Membership, User
from cases import services
from cases.models import Case, CaseEvent
from escalation.services import escalate_case
from tests.factories import PASSWORD, CaseFactory, CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.security


def rows(action: str, **filters: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))


@pytest.fixture
def acme_case(acme, alice, engineer):  # type: ignore[no-untyped-def]
    return CaseFactory(organization=acme, requester=alice, assignee=engineer, status="open", title="Disk full")


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    return User.objects.create_superuser(email="root@vendor.example", password="irrelevant-here-123")


# --- Logins -------------------------------------------------------------------------------


def test_token_logins_leave_a_row_each_success_failure_and_refusal(alice, settings):
    settings.LOGIN_MAX_FAILURES = 2
    api = APIClient()

    def token(password: str) -> int:
        body = {"email": "Alice@Acme.example", "password": password}
        return api.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="198.51.100.7").status_code

    assert [token(PASSWORD), token("wrong"), token("wrong"), token(PASSWORD)] == [200, 401, 401, 429]

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor_id", "actor_label", "ip_address"))
    assert entries == [
        ("login.succeeded", alice.pk, "alice@acme.example", "198.51.100.7"),
        ("login.failed", None, "alice@acme.example", "198.51.100.7"),
        ("login.failed", None, "alice@acme.example", "198.51.100.7"),
        ("login.refused", None, "alice@acme.example", "198.51.100.7"),
    ]
    assert {entry.detail["channel"] for entry in AuditEntry.objects.all()} == {"api"}


def test_browser_and_admin_logins_leave_rows(alice, superuser):
    Client().post("/accounts/login/", {"username": "alice@acme.example", "password": "nope"}, REMOTE_ADDR="192.0.2.5")
    Client().post("/accounts/login/", {"username": "alice@acme.example", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5")
    admin = Client()
    admin.post("/admin/login/", {"username": "root@vendor.example", "password": "bad"}, REMOTE_ADDR="192.0.2.6")
    response = admin.post(
        "/admin/login/?next=/admin/",
        {"username": "root@vendor.example", "password": "irrelevant-here-123", "next": "/admin/"},
        REMOTE_ADDR="192.0.2.6",
    )
    assert response.status_code == 302

    summary = [
        (entry.action, entry.actor_label, entry.detail["channel"]) for entry in AuditEntry.objects.order_by("id")
    ]
    assert summary == [
        ("login.failed", "alice@acme.example", "web"),
        ("login.succeeded", "alice@acme.example", "web"),
        ("login.failed", "root@vendor.example", "admin"),
        ("login.succeeded", "root@vendor.example", "admin"),
    ]


def test_the_admin_login_is_throttled_like_the_others(superuser, settings):
    settings.LOGIN_MAX_FAILURES = 3
    statuses = [
        Client()
        .post("/admin/login/", {"username": "root@vendor.example", "password": f"guess {n}"}, REMOTE_ADDR="192.0.2.9")
        .status_code
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]
    assert len(rows("login.failed")) == 3
    assert len(rows("login.refused")) == 2


# --- Denials ------------------------------------------------------------------------------


def test_api_and_browser_denials_on_a_case_leave_a_row(acme_case, oscar, alice):
    number = acme_case.number
    api = APIClient()
    api.force_authenticate(user=oscar)
    assert api.get(f"/api/v1/cases/{number}/", REMOTE_ADDR="203.0.113.9").status_code == 404
    browser = Client()
    browser.force_login(oscar)
    assert browser.get(f"/cases/{number}/", REMOTE_ADDR="203.0.113.9").status_code == 404
    customer = APIClient()
    customer.force_authenticate(user=alice)
    assigned = customer.post(f"/api/v1/cases/{number}/assign/", {"assignee": None}, format="json")
    assert assigned.status_code == 403

    denials = [
        (e.actor_id, e.object_type, e.object_id, e.detail["status"], e.detail["method"]) for e in rows("access.denied")
    ]
    assert denials == [
        (oscar.pk, "case", number, 404, "GET"),
        (oscar.pk, "case", number, 404, "GET"),
        (alice.pk, "case", number, 403, "POST"),
    ]
    assert rows("access.denied")[0].ip_address == "203.0.113.9"


def test_an_outsiders_attachment_download_is_a_denial(acme_case, alice, oscar):
    message = services.add_message(
        case=acme_case, author=alice, body="Logs.", files=[SimpleUploadedFile("a.log", b"data\n", "text/plain")]
    )
    attachment = message.attachments.get()
    browser = Client()
    browser.force_login(oscar)

    assert browser.get(f"/attachments/{attachment.pk}/").status_code == 404

    [denial] = rows("access.denied")
    assert (denial.actor_id, denial.object_type, denial.object_id) == (oscar.pk, "attachment", str(attachment.pk))


def test_anonymous_requests_and_mistyped_addresses_are_not_denials(acme_case, alice):
    APIClient().get(f"/api/v1/cases/{acme_case.number}/")
    browser = Client()
    browser.force_login(alice)
    browser.get("/no-such-page/")

    assert rows("access.denied") == []


# --- Case actions -------------------------------------------------------------------------


def test_escalations_severity_changes_and_downloads_leave_rows(acme_case, alice, engineer, manager, director):
    escalate_case(case=acme_case, actor=alice, reason="Nobody answers.")
    services.change_severity(case=acme_case, actor=engineer, severity="critical", reason="Production stopped.")
    message = services.add_message(
        case=acme_case, author=alice, body="Dump.", files=[SimpleUploadedFile("d.txt", b"x\n", "text/plain")]
    )
    attachment = message.attachments.get()
    browser = Client()
    browser.force_login(engineer)
    response = browser.get(f"/attachments/{attachment.pk}/")
    b"".join(response.streaming_content)

    summary = [(e.action, e.actor_id, e.object_type, e.object_id) for e in AuditEntry.objects.order_by("id")]
    assert summary == [
        ("case.escalated", alice.pk, "case", acme_case.number),
        ("case.severity_changed", engineer.pk, "case", acme_case.number),
        ("attachment.downloaded", engineer.pk, "attachment", str(attachment.pk)),
    ]
    severity = rows("case.severity_changed")[0]
    assert (severity.detail["before"], severity.detail["after"]) == ("medium", "critical")


def test_a_refused_change_leaves_no_row(acme_case, oscar):
    with pytest.raises(PermissionDenied):
        services.change_severity(case=acme_case, actor=oscar, severity="low", reason="Mine now.")

    assert rows("case.severity_changed") == []


# --- Memberships --------------------------------------------------------------------------


def test_provisioning_a_customer_records_each_membership(api, admin_user, acme, globex):
    body = {
        "email": "carol@acme.example",
        "password": "plum-orchard-lantern-42",
        "role": "customer",
        "memberships": [{"organization": acme.pk, "is_primary": True}, {"organization": globex.pk}],
    }
    assert api(admin_user).post("/api/v1/users/", body, format="json").status_code == 201

    added = [(e.actor_id, e.detail["user"], e.detail["organization"]) for e in rows("membership.added")]
    assert added == [
        (admin_user.pk, "carol@acme.example", "ACME-1"),
        (admin_user.pk, "carol@acme.example", "GLOBEX-1"),
    ]


def _admin_user_form(user: User, memberships: list[dict[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "timezone": user.timezone,
        "role": user.role,
        "tier": user.tier,
        "manager": user.manager_id or "",
        "active_organization": user.active_organization_id or "",
        "available": "on",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, membership in enumerate(memberships):
        for key, value in membership.items():
            if value is not None:
                data[f"memberships-{index}-{key}"] = value
        data[f"memberships-{index}-user"] = user.pk
    return data


def test_membership_changes_in_the_admin_leave_rows(superuser, alice, acme, globex):
    browser = Client()
    browser.force_login(superuser)
    primary = Membership.objects.get(user=alice, organization=acme)
    url = f"/admin/accounts/user/{alice.pk}/change/"

    # An admin adds Globex to Alice's organizations
    added = browser.post(
        url,
        _admin_user_form(
            alice,
            [
                {"id": primary.pk, "organization": acme.pk, "is_primary": "on"},
                {"id": "", "organization": globex.pk},
            ],
        ),
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    extra = Membership.objects.get(user=alice, organization=globex)

    # …then removes it again
    removed = browser.post(
        url,
        _admin_user_form(
            alice,
            [
                {"id": primary.pk, "organization": acme.pk, "is_primary": "on"},
                {"id": extra.pk, "organization": globex.pk, "DELETE": "on"},
            ],
        ),
    )
    assert removed.status_code == 302
    assert not Membership.objects.filter(user=alice, organization=globex).exists()

    summary = [
        (e.action, e.actor_id, e.detail["organization"], e.detail["via"])
        for e in AuditEntry.objects.filter(action__startswith="membership.").order_by("id")
    ]
    assert summary == [
        ("membership.added", superuser.pk, "GLOBEX-1", "admin"),
        ("membership.removed", superuser.pk, "GLOBEX-1", "admin"),
    ]


def test_giving_someone_admin_rights_in_the_admin_is_recorded(superuser, engineer):
    browser = Client()
    browser.force_login(superuser)
    data = _admin_user_form(engineer, [])
    data["is_staff"] = "on"

    response = browser.post(f"/admin/accounts/user/{engineer.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    [entry] = rows("user.changed")
    assert (entry.actor_id, entry.object_id, entry.detail["fields"]) == (superuser.pk, str(engineer.pk), ["is_staff"])


# --- History cannot be rewritten ----------------------------------------------------------


@pytest.fixture
def history(acme_case, alice):  # type: ignore[no-untyped-def]
    """One audit row and one case event."""
    escalate_case(case=acme_case, actor=alice, reason="Nobody answers.")
    return AuditEntry.objects.get(), CaseEvent.objects.get(case=acme_case)


@pytest.mark.parametrize("model_index", [0, 1], ids=["AuditEntry", "CaseEvent"])
def test_the_orm_refuses_to_update_or_delete_audit_rows(history, model_index):
    row = history[model_index]
    model = type(row)

    with pytest.raises(HistoryRewriteRefused):
        row.save()
    with pytest.raises(HistoryRewriteRefused):
        row.delete()
    field = "detail" if model is AuditEntry else "note"
    with pytest.raises(HistoryRewriteRefused):
        model.objects.filter(pk=row.pk).update(**{field: "rewritten"})
    with pytest.raises(HistoryRewriteRefused):
        model.objects.all().delete()
    with pytest.raises(HistoryRewriteRefused):
        model.objects.bulk_update([row], [field])

    assert model.objects.filter(pk=row.pk).exists()


def test_the_admin_cannot_add_change_or_delete_audit_entries(history, superuser):
    browser = Client()
    browser.force_login(superuser)
    entry = history[0]

    assert browser.get("/admin/accounts/auditentry/").status_code == 200
    assert browser.get("/admin/accounts/auditentry/add/").status_code == 403
    assert browser.get(f"/admin/accounts/auditentry/{entry.pk}/delete/").status_code == 403
    changed = browser.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"action": "login.succeeded"})
    assert changed.status_code == 403
    deleted = browser.post(
        "/admin/accounts/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert deleted.status_code in (200, 302, 403)
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.escalated"


def _sql_now(sql: str, params: list[object]) -> None:
    """Run ``sql`` and the deferred audit checks at once, in a savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("UPDATE accounts_auditentry SET action = 'login.succeeded' WHERE id = %s", 0),
        ("UPDATE accounts_auditentry SET actor_id = NULL WHERE id = %s", 0),
        ("DELETE FROM accounts_auditentry WHERE id = %s", 0),
        ("UPDATE cases_caseevent SET note = 'nothing happened' WHERE id = %s", 1),
        ("UPDATE cases_caseevent SET actor_id = NULL WHERE id = %s", 1),
        ("DELETE FROM cases_caseevent WHERE id = %s", 1),
    ],
)
def test_postgresql_refuses_raw_sql_that_rewrites_history(history, sql, index):
    row = history[index]

    with pytest.raises(IntegrityError, match="append-only"):
        _sql_now(sql, [row.pk])

    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
def test_a_case_deleted_as_a_whole_takes_its_trail_and_the_security_log_stays(history, acme_case):
    # Nothing in the application deletes a case; an operator deleting a whole case may.
    with transaction.atomic():
        Case.objects.filter(pk=acme_case.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert not CaseEvent.objects.filter(case_id=acme_case.pk).exists()
    assert AuditEntry.objects.filter(action="case.escalated", object_id=acme_case.number).exists()


@pytest.mark.postgres
def test_deleting_a_user_keeps_their_audit_rows_with_their_address(acme):
    carol = CustomerFactory(email="carol@acme.example", organization=OrganizationFactory())
    APIClient().post("/api/v1/auth/token/", {"email": carol.email, "password": PASSWORD}, format="json")

    with transaction.atomic():
        User.objects.filter(pk=carol.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    [entry] = rows("login.succeeded")
    assert (entry.actor_id, entry.actor_label) == (None, "carol@acme.example")
