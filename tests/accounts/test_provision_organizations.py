"""Admins provision organizations over the API (API.md "Provisioning").

Every bad input answers 400 naming the field, and writes nothing; only admins may.
"""

from __future__ import annotations

import pytest

from accounts.models import Organization

URL = "/api/v1/organizations/"


def organization_input(**overrides: object) -> dict[str, object]:
    return {
        "name": "Initech",
        "customer_number": "INITECH-9",
        "plan": "enterprise",
        "production": True,
        "maintenance_until": "2027-06-30",
        "partner": None,
        "country": "US",
        "timezone": "America/Chicago",
        "language": "en",
        "account_manager": None,
        **overrides,
    }


def test_an_admin_creates_an_organization(api, admin_user):
    # Given an admin
    # When they post a complete organization
    response = api(admin_user).post(URL, organization_input(), format="json")

    # Then it answers 201 with the new organization, and the row is there
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == Organization.objects.get(customer_number="INITECH-9").pk
    assert {key: body[key] for key in organization_input()} == organization_input()


def test_an_admin_creates_a_partners_customer_with_an_account_manager(api, admin_user, acme, manager):
    # Given a partner organization and a member of staff
    # When the admin creates a customer of that partner, looked after by that manager
    response = api(admin_user).post(
        URL,
        organization_input(partner="ACME-1", account_manager=manager.pk, plan="standard", language="ko"),
        format="json",
    )

    # Then the new organization names its partner by customer number
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == "ACME-1"
    assert response.json()["account_manager"] == manager.pk
    created = Organization.objects.get(pk=response.json()["id"])
    assert created.partner == acme
    assert list(acme.customers.all()) == [created]


def test_only_the_required_fields_are_needed(api, admin_user):
    # Given an admin who sends only what has no default
    response = api(admin_user).post(
        URL,
        {"name": "Tiny", "customer_number": "T-1", "country": "fr", "timezone": "Europe/Paris"},
        format="json",
    )

    # Then the organization is created on the documented defaults
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["plan"], body["production"], body["partner"], body["language"]) == ("basic", False, None, "en")
    assert body["country"] == "FR"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"customer_number": "ACME-1"}, "customer_number", id="duplicate customer number"),
        pytest.param({"customer_number": "acme-1"}, "customer_number", id="duplicate in another case"),
        pytest.param({"customer_number": " ACME-1 "}, "customer_number", id="duplicate with spaces"),
        pytest.param({"customer_number": "X" * 33}, "customer_number", id="customer number too long"),
        pytest.param({"name": ""}, "name", id="no name"),
        pytest.param({"plan": "platinum"}, "plan", id="unknown plan"),
        pytest.param({"country": "XX"}, "country", id="unknown country"),
        pytest.param({"country": "USA"}, "country", id="alpha-3 country"),
        pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown timezone"),
        pytest.param({"language": "de"}, "language", id="unknown language"),
        pytest.param({"partner": "NOPE-404"}, "partner", id="partner that does not exist"),
        pytest.param({"maintenance_until": "next spring"}, "maintenance_until", id="not a date"),
        pytest.param({"account_manager": 987654}, "account_manager", id="account manager that does not exist"),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_is_written(api, admin_user, acme, overrides, field):
    # Given Acme (customer number ACME-1) exists
    before = Organization.objects.count()

    # When the admin posts an organization with one bad field
    response = api(admin_user).post(URL, organization_input(**overrides), format="json")

    # Then the answer is a 400 naming that field, and no organization was added
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Organization.objects.count() == before


def test_an_account_manager_must_be_staff(api, admin_user, alice):
    # Given a customer
    # When the admin names them as an organization's account manager
    response = api(admin_user).post(URL, organization_input(account_manager=alice.pk), format="json")

    # Then it is refused by field, and nothing is written
    assert response.status_code == 400
    assert "account_manager" in response.json()
    assert not Organization.objects.filter(customer_number="INITECH-9").exists()


@pytest.mark.parametrize("person", ["alice", "engineer", "manager", "director", "operator"])
def test_only_admins_may_create_organizations(api, request, person):
    # Given someone who is not an admin
    caller = request.getfixturevalue(person)

    # When they try to create an organization
    response = api(caller).post(URL, organization_input(), format="json")

    # Then they are refused, and nothing is written
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Organization.objects.filter(customer_number="INITECH-9").exists()


def test_anonymous_callers_cannot_create_organizations(api, db):
    response = api(None).post(URL, organization_input(), format="json")

    assert response.status_code in (401, 403)
    assert not Organization.objects.exists()
