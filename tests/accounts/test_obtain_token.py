"""`POST /api/v1/auth/token/`: e-mail and password in, a token out; wrong credentials give no hint."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


def test_a_token_authenticates_later_calls(alice):
    # Given alice's e-mail and password
    # When she asks for a token
    response = APIClient().post(URL, {"email": "alice@acme.example", "password": PASSWORD}, format="json")

    # Then she gets one, and it lets her call the API as herself
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "alice@acme.example"


def test_asking_twice_gives_the_same_token(alice):
    first = APIClient().post(URL, {"email": "alice@acme.example", "password": PASSWORD}, format="json")
    second = APIClient().post(URL, {"email": "alice@acme.example", "password": PASSWORD}, format="json")

    assert first.json()["token"] == second.json()["token"]


def test_the_email_is_not_case_sensitive(alice):
    response = APIClient().post(URL, {"email": " Alice@ACME.example ", "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content


def test_a_wrong_password_and_an_unknown_email_look_the_same(alice):
    # When one caller gets the password wrong and another names nobody we know
    wrong_password = APIClient().post(URL, {"email": "alice@acme.example", "password": "nope"}, format="json")
    unknown_email = APIClient().post(URL, {"email": "nobody@acme.example", "password": PASSWORD}, format="json")

    # Then both get the same status and the same words: no hint which part was wrong
    assert wrong_password.status_code in (400, 401)
    assert (unknown_email.status_code, unknown_email.json()) == (wrong_password.status_code, wrong_password.json())
    assert "token" not in wrong_password.json()


def test_a_deactivated_account_gets_no_token(alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = APIClient().post(URL, {"email": "alice@acme.example", "password": PASSWORD}, format="json")

    assert response.status_code in (400, 401)
    assert "token" not in response.json()


def test_a_missing_password_is_named(db):
    response = APIClient().post(URL, {"email": "alice@acme.example"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_a_made_up_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get("/api/v1/me/").status_code == 401
