"""The Django admin pages for people and organizations render for an admin superuser."""

from __future__ import annotations

import pytest

from accounts.models import Membership, User


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    """Made the way API.md says: createsuperuser, which gives an admin."""
    return User.objects.create_superuser(email="root@vendor.example", password="irrelevant-here-123")


@pytest.fixture
def everyone(alice, oscar, globex, engineer, operator):  # type: ignore[no-untyped-def]
    Membership.objects.create(user=alice, organization=globex, is_primary=False)


@pytest.mark.parametrize(
    ("url", "shows"),
    [
        ("/admin/accounts/user/", b"alice@acme.example"),
        ("/admin/accounts/user/?q=acme", b"alice@acme.example"),
        ("/admin/accounts/user/?role__exact=engineer", b"erin@vendor.example"),
        ("/admin/accounts/organization/", b"GLOBEX-1"),
        ("/admin/accounts/organization/?q=acme", b"ACME-1"),
        ("/admin/accounts/loginattempt/", b"0 login attempts"),
        ("/admin/accounts/user/add/", b"password1"),
    ],
)
def test_an_admin_sees_the_lists(browser_for, superuser, everyone, url, shows):
    response = browser_for(superuser).get(url)

    assert response.status_code == 200
    assert shows in response.content


def test_an_admin_opens_a_customer_and_an_organization(browser_for, superuser, everyone, alice, acme):
    browser = browser_for(superuser)

    user_page = browser.get(f"/admin/accounts/user/{alice.pk}/change/")
    organization_page = browser.get(f"/admin/accounts/organization/{acme.pk}/change/")

    assert user_page.status_code == 200
    assert b"Globex" in user_page.content  # her memberships, inline
    assert organization_page.status_code == 200
    assert b"ACME-1" in organization_page.content


def test_an_admin_adds_a_user_through_the_admin(browser_for, superuser):
    response = browser_for(superuser).post(
        "/admin/accounts/user/add/",
        {
            "email": "new@vendor.example",
            "name": "New Person",
            "role": "engineer",
            "password1": "plum-orchard-lantern-42",
            "password2": "plum-orchard-lantern-42",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(email="new@vendor.example").check_password("plum-orchard-lantern-42")


@pytest.mark.parametrize("person", ["alice", "engineer"])
def test_people_without_admin_access_are_sent_to_the_admin_login(browser_for, request, person):
    response = browser_for(request.getfixturevalue(person)).get("/admin/accounts/user/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
