"""Admins provision users over the API (API.md "Provisioning", "Roles").

Every bad input answers 400 naming the field, and writes no user and no membership.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts.models import Membership, User

URL = "/api/v1/users/"
GOOD_PASSWORD = "plum-orchard-lantern-42"


def customer_input(*memberships: dict[str, object], **overrides: object) -> dict[str, object]:
    return {
        "email": "carol@acme.example",
        "password": GOOD_PASSWORD,
        "name": "Carol Customer",
        "language": "fr",
        "timezone": "Europe/Paris",
        "role": "customer",
        "memberships": list(memberships),
        **overrides,
    }


def staff_input(**overrides: object) -> dict[str, object]:
    return {
        "email": "sam@vendor.example",
        "password": GOOD_PASSWORD,
        "name": "Sam Support",
        "language": "ko",
        "timezone": "Asia/Seoul",
        "role": "engineer",
        "tier": "L2",
        "manager": None,
        **overrides,
    }


def test_an_admin_creates_a_customer_of_two_organizations(api, admin_user, acme, globex):
    # Given two organizations
    # When the admin creates a customer of both, Globex being the primary one
    response = api(admin_user).post(
        URL,
        customer_input({"organization": acme.pk, "is_primary": False}, {"organization": globex.pk, "is_primary": True}),
        format="json",
    )

    # Then it answers 201 with the user and their memberships
    assert response.status_code == 201, response.content
    body = response.json()
    carol = User.objects.get(pk=body["id"])
    assert (body["email"], body["name"], body["role"], body["language"], body["timezone"]) == (
        "carol@acme.example",
        "Carol Customer",
        "customer",
        "fr",
        "Europe/Paris",
    )
    assert sorted((m["organization"]["customer_number"], m["is_primary"]) for m in body["memberships"]) == [
        ("ACME-1", False),
        ("GLOBEX-1", True),
    ]
    assert {"id": globex.pk, "name": "Globex", "customer_number": "GLOBEX-1"} in [
        m["organization"] for m in body["memberships"]
    ]
    # And they can log in with the password they were given
    assert carol.check_password(GOOD_PASSWORD)
    assert set(Membership.objects.filter(user=carol).values_list("organization__customer_number", "is_primary")) == {
        ("ACME-1", False),
        ("GLOBEX-1", True),
    }


def test_a_customers_only_organization_becomes_their_primary_one(api, admin_user, acme):
    response = api(admin_user).post(URL, customer_input({"organization": acme.pk}), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["memberships"] == [
        {"organization": {"id": acme.pk, "name": "Acme", "customer_number": "ACME-1"}, "is_primary": True}
    ]


def test_an_admin_creates_an_engineer_with_a_tier_and_a_manager(api, admin_user, manager):
    response = api(admin_user).post(URL, staff_input(manager=manager.pk), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["role"], body["tier"], body["manager"], body["memberships"]) == ("engineer", "L2", manager.pk, [])
    sam = User.objects.get(pk=body["id"])
    assert sam.manager == manager
    assert sam.is_support_staff


def test_a_new_admin_may_provision_in_turn(api, admin_user, acme):
    # Given an admin created through the API
    response = api(admin_user).post(URL, staff_input(role="admin", tier=""), format="json")
    assert response.status_code == 201, response.content
    new_admin = User.objects.get(pk=response.json()["id"])

    # When they create a customer
    response = api(new_admin).post(URL, customer_input({"organization": acme.pk}), format="json")

    # Then it works
    assert response.status_code == 201, response.content


@pytest.fixture
def people(acme, globex, alice, manager):  # type: ignore[no-untyped-def]
    return SimpleNamespace(acme=acme, globex=globex, alice=alice, manager=manager)


BAD_INPUTS = [
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, email="alice@acme.example"), "email", id="e-mail already in use"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, email="Alice@ACME.example"), "email", id="e-mail in use in another case"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, email="not-an-address"), "email", id="not an e-mail address"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, role="wizard"), "role", id="unknown role"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, language="de"), "language", id="unknown language"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, timezone="Mars/Olympus"), "timezone", id="unknown timezone"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, password="password"), "password", id="common password"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, password="12345678901"), "password", id="numeric password"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, password="Xy1"), "password", id="short password"),
    pytest.param(lambda p: customer_input(), "memberships", id="customer without memberships"),
    pytest.param(
        lambda p: customer_input({"organization": p.acme.pk, "is_primary": True}, {"organization": p.globex.pk, "is_primary": True}),
        "memberships",
        id="two primary memberships",
    ),
    pytest.param(
        lambda p: customer_input({"organization": p.acme.pk}, {"organization": p.acme.pk}),
        "memberships",
        id="the same organization twice",
    ),
    pytest.param(lambda p: customer_input({"organization": 987654}), "memberships", id="organization that does not exist"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, tier="L1"), "tier", id="tier on a customer"),
    pytest.param(lambda p: customer_input({"organization": p.acme.pk}, manager=p.manager.pk), "manager", id="manager on a customer"),
    pytest.param(lambda p: staff_input(tier="L9"), "tier", id="unknown tier"),
    pytest.param(lambda p: staff_input(manager=p.alice.pk), "manager", id="manager who is not staff"),
    pytest.param(lambda p: staff_input(manager=987654), "manager", id="manager who does not exist"),
    pytest.param(lambda p: staff_input(memberships=[{"organization": p.acme.pk}]), "memberships", id="staff in an organization"),
]  # fmt: skip


@pytest.mark.parametrize(("make_input", "field"), BAD_INPUTS)
def test_a_bad_field_is_refused_by_name_and_nothing_is_written(api, admin_user, people, make_input, field):
    # Given the people and organizations that exist
    users_before, memberships_before = User.objects.count(), Membership.objects.count()

    # When the admin posts a user with one bad field
    response = api(admin_user).post(URL, make_input(people), format="json")

    # Then the answer is a 400 naming that field, and nothing was written
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (User.objects.count(), Membership.objects.count()) == (users_before, memberships_before)


@pytest.mark.parametrize("person", ["alice", "engineer", "manager", "director", "operator"])
def test_only_admins_may_create_users(api, request, acme, person):
    # Given someone who is not an admin
    caller = request.getfixturevalue(person)

    # When they try to create a user
    response = api(caller).post(URL, customer_input({"organization": acme.pk}), format="json")

    # Then they are refused, and nobody is created
    assert response.status_code == 403
    assert not User.objects.filter(email="carol@acme.example").exists()


def test_anonymous_callers_cannot_create_users(api, acme):
    response = api(None).post(URL, customer_input({"organization": acme.pk}), format="json")

    assert response.status_code in (401, 403)
    assert not User.objects.filter(email="carol@acme.example").exists()
