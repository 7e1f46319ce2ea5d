"""`python manage.py seed_demo`: the demo organizations and logins, the same however often it runs."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, Organization, User

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGINS = [
    "alice@acme.example",
    "bob@globex.example",
    "minji@hooli.example",
    "dora@vendor.example",
    "max@vendor.example",
    "mia@vendor.example",
    "erin@vendor.example",
    "liam@vendor.example",
    "li@vendor.example",
    "olga@vendor.example",
    "ada@vendor.example",
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "organizations": sorted(Organization.objects.values_list("customer_number", "name", "plan", "partner__name")),
        "users": sorted(User.objects.values_list("email", "role", "tier", "manager__email", "is_superuser")),
        "memberships": sorted(Membership.objects.values_list("user__email", "organization__name", "is_primary")),
    }


@pytest.mark.django_db
def test_running_it_twice_gives_the_same_rows():
    # Given a first run
    seed()
    first = snapshot()

    # When it runs again
    seed()

    # Then nothing was added or changed
    assert snapshot() == first
    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == (4, 11, 4)


@pytest.mark.django_db
def test_it_prints_every_login_and_the_password():
    output = seed()

    for email in DEMO_LOGINS:
        assert email in output
    assert DEMO_PASSWORD in output
    assert "Acme Manufacturing (primary), Globex Trading" in output


@pytest.mark.django_db
def test_alice_is_one_customer_in_two_organizations():
    seed()

    alice = User.objects.get(email="alice@acme.example")
    assert sorted(alice.memberships.values_list("organization__customer_number", "is_primary")) == [
        ("ACME-1001", True),
        ("GLOBEX-2002", False),
    ]


@pytest.mark.django_db
def test_the_organizations_are_as_described():
    seed()

    acme = Organization.objects.get(customer_number="ACME-1001")
    assert (acme.name, acme.plan, acme.production, acme.country, acme.timezone, acme.language) == (
        "Acme Manufacturing",
        "enterprise",
        True,
        "US",
        "America/New_York",
        "en",
    )
    assert acme.maintenance_until == timezone.localdate() + timedelta(days=365)
    globex = Organization.objects.get(customer_number="GLOBEX-2002")
    assert (globex.name, globex.plan, globex.country, globex.timezone, globex.language) == (
        "Globex Trading",
        "basic",
        "FR",
        "Europe/Paris",
        "fr",
    )
    hooli = Organization.objects.get(customer_number="HOOLI-4004")
    assert hooli.partner.customer_number == "INITECH-3003"
    assert hooli.partner.name == "Initech Partners"
    assert [(o.plan, o.country, o.timezone, o.language) for o in (hooli, hooli.partner)] == [
        ("standard", "KR", "Asia/Seoul", "ko")
    ] * 2


@pytest.mark.django_db
def test_the_staff_form_the_support_hierarchy():
    seed()

    people = {user.email: user for user in User.objects.select_related("manager")}
    assert people["dora@vendor.example"].role == "director"
    assert [(people[e].role, people[e].manager.email) for e in ("max@vendor.example", "mia@vendor.example")] == [
        ("manager", "dora@vendor.example")
    ] * 2
    assert [
        (people[e].tier, people[e].manager.email)
        for e in ("erin@vendor.example", "liam@vendor.example", "li@vendor.example")
    ] == [("L1", "max@vendor.example"), ("L2", "max@vendor.example"), ("L3", "mia@vendor.example")]
    assert people["li@vendor.example"].language == "zh-hans"
    assert people["olga@vendor.example"].role == "operator"
    ada = people["ada@vendor.example"]
    assert (ada.role, ada.is_staff, ada.is_superuser) == ("admin", True, True)
    minji = people["minji@hooli.example"]
    assert (minji.language, minji.timezone) == ("ko", "Asia/Seoul")


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "minji@hooli.example", "ada@vendor.example"])
def test_the_printed_password_logs_in(email):
    seed()

    response = APIClient().post("/api/v1/auth/token/", {"email": email, "password": DEMO_PASSWORD}, format="json")

    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_running_it_again_puts_back_what_a_demo_changed():
    # Given a demo in which alice changed her password and was made primary at Globex
    seed()
    alice = User.objects.get(email="alice@acme.example")
    alice.set_password("something-else-entirely")
    alice.save()
    Membership.objects.filter(user=alice).update(is_primary=False)
    Membership.objects.filter(user=alice, organization__customer_number="GLOBEX-2002").update(is_primary=True)

    # When the seed runs again
    seed()

    # Then the demo password works again and Acme is her primary association again
    alice.refresh_from_db()
    assert alice.check_password(DEMO_PASSWORD)
    assert alice.memberships.get(is_primary=True).organization.customer_number == "ACME-1001"
