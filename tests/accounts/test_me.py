"""`GET /api/v1/me/`: who the caller is, the organizations they belong to, and which one is active."""

from __future__ import annotations

from accounts.models import Membership


def org_ref(organization) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"id": organization.pk, "name": organization.name, "customer_number": organization.customer_number}


def test_a_customer_sees_their_memberships_and_starts_on_the_primary_one(api, alice, acme, globex):
    # Given alice, primary at Acme and also a member of Globex
    Membership.objects.create(user=alice, organization=globex, is_primary=False)

    # When she asks who she is
    response = api(alice).get("/api/v1/me/")

    # Then she sees herself, both memberships, and Acme as both primary and active
    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in ("id", "email", "name", "role", "language", "timezone")} == {
        "id": alice.pk,
        "email": "alice@acme.example",
        "name": "Alice Acme",
        "role": "customer",
        "language": "en",
        "timezone": "UTC",
    }
    assert body["memberships"] == [
        {"organization": org_ref(acme), "is_primary": True},
        {"organization": org_ref(globex), "is_primary": False},
    ]
    assert body["primary_organization"] == org_ref(acme)
    assert body["active_organization"] == org_ref(acme)


def test_staff_belong_to_no_organization(api, engineer):
    response = api(engineer).get("/api/v1/me/")

    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["role"]) == ("erin@vendor.example", "engineer")
    assert (body["memberships"], body["primary_organization"], body["active_organization"]) == ([], None, None)


def test_a_superuser_is_shown_as_an_admin(api, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@vendor.example", password="irrelevant-here-123")

    assert api(root).get("/api/v1/me/").json()["role"] == "admin"


def test_anonymous_callers_are_not_told_anything(api, db):
    response = api(None).get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}
