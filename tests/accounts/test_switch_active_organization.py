"""`POST /api/v1/me/active-organization/`: a customer of several organizations picks the one they act for."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership

URL = "/api/v1/me/active-organization/"


@pytest.fixture
def alice_in_two(alice, globex):  # type: ignore[no-untyped-def]
    """alice: primary at Acme, also a member of Globex."""
    Membership.objects.create(user=alice, organization=globex, is_primary=False)
    return alice


def test_a_customer_switches_to_another_of_her_organizations(api, alice_in_two, acme, globex):
    client = api(alice_in_two)

    # When alice switches to Globex
    response = client.post(URL, {"organization": globex.pk}, format="json")

    # Then Globex is active from now on, and Acme stays her primary association
    assert response.status_code == 200, response.content
    assert response.json()["active_organization"]["customer_number"] == "GLOBEX-1"
    me = client.get("/api/v1/me/").json()
    assert me["active_organization"]["customer_number"] == "GLOBEX-1"
    assert me["primary_organization"]["customer_number"] == "ACME-1"

    # And switching back to the primary works the same way
    response = client.post(URL, {"organization": acme.pk}, format="json")
    assert response.json()["active_organization"]["customer_number"] == "ACME-1"


def test_a_token_clients_choice_is_kept_on_the_user(alice_in_two, globex):
    # Given alice using the API with a token (no browser session)
    token = Token.objects.create(user=alice_in_two)

    def token_client() -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    # When she switches to Globex
    assert token_client().post(URL, {"organization": globex.pk}, format="json").status_code == 200

    # Then a later, separate call still acts for Globex
    assert token_client().get("/api/v1/me/").json()["active_organization"]["customer_number"] == "GLOBEX-1"


def test_an_organization_she_does_not_belong_to_is_refused(api, alice, globex):
    # Given alice, a member of Acme only
    client = api(alice)

    # When she tries to switch to Globex
    response = client.post(URL, {"organization": globex.pk}, format="json")

    # Then it is refused by field, and Acme stays active
    assert response.status_code == 400
    assert "organization" in response.json()
    assert client.get("/api/v1/me/").json()["active_organization"]["customer_number"] == "ACME-1"
    alice.refresh_from_db()
    assert alice.active_organization_id is None


def test_a_missing_organization_gets_the_same_answer_as_a_foreign_one(api, alice, globex):
    # "Missing" and "not yours" must not be told apart.
    foreign = api(alice).post(URL, {"organization": globex.pk}, format="json")
    missing = api(alice).post(URL, {"organization": 987654}, format="json")

    assert foreign.status_code == 400
    assert "organization" in foreign.json()
    assert (missing.status_code, missing.json()) == (foreign.status_code, foreign.json())


def test_staff_have_no_organization_to_switch_to(api, engineer, acme):
    response = api(engineer).post(URL, {"organization": acme.pk}, format="json")

    assert response.status_code == 400
    assert "organization" in response.json()


def test_the_organization_must_be_an_id(api, alice):
    response = api(alice).post(URL, {"organization": "Acme"}, format="json")

    assert response.status_code == 400
    assert "organization" in response.json()


def test_anonymous_callers_cannot_switch(api, acme):
    assert api(None).post(URL, {"organization": acme.pk}, format="json").status_code in (401, 403)
