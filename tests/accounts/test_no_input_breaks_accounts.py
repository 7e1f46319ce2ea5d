"""No input ever yields a 5xx (API.md "Errors"): odd values get a 4xx JSON answer, or the form again.

Numbers too big for the database, NUL characters (PostgreSQL refuses them in text) and
wrong shapes are the usual ways a request reaches the database unchecked.
"""

from __future__ import annotations

import pytest
from django.test import Client

TOO_BIG = 10**20
PASSWORD = "plum-orchard-lantern-42"

ODD_REQUESTS = [
    ("post", "/api/v1/me/active-organization/", {"organization": TOO_BIG}),
    ("post", "/api/v1/me/active-organization/", {"organization": -1}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "engineer", "manager": TOO_BIG}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "customer", "memberships": [{"organization": TOO_BIG}]}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "customer", "memberships": {"organization": 1}}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "customer", "memberships": ["Acme"]}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "customer", "memberships": [{"organization": None}]}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": "plum\x00orchard-lantern", "role": "engineer"}),
    ("post", "/api/v1/users/", {"email": "x@y.example", "password": PASSWORD, "role": "engineer", "name": "Sam\x00"}),
    ("post", "/api/v1/users/", {"email": "x" * 300 + "@y.example", "password": PASSWORD, "role": "engineer"}),
    ("post", "/api/v1/organizations/", {"name": "A", "customer_number": "Z\x00", "country": "US", "timezone": "UTC"}),
    ("post", "/api/v1/organizations/", {"name": "A", "customer_number": "Z", "country": "US", "timezone": "UTC", "account_manager": TOO_BIG}),
    ("post", "/api/v1/organizations/", {"name": "A", "customer_number": "Z", "country": "US", "timezone": "UTC", "maintenance_until": "99999-01-01"}),
    ("post", "/api/v1/organizations/", {"name": "A", "customer_number": "Z", "country": "U\x00", "timezone": "UTC"}),
    ("post", "/api/v1/organizations/", {"name": "A", "customer_number": "   ", "country": "US", "timezone": "UTC"}),
    ("patch", f"/api/v1/users/{TOO_BIG}/", {"available": False}),
    ("get", f"/api/v1/users/{TOO_BIG}/", None),
    ("get", f"/api/v1/organizations/{TOO_BIG}/", None),
    ("post", "/api/v1/auth/token/", {"email": "alice\x00@acme.example", "password": "x"}),
    ("post", "/api/v1/auth/token/", {"email": "a" * 300, "password": "x"}),
    ("post", "/api/v1/auth/token/", ["not", "an", "object"]),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "data"), ODD_REQUESTS)
def test_an_odd_api_request_gets_a_4xx_json_answer(api, admin_user, method, url, data):
    client = api(admin_user)
    response = getattr(client, method)(url) if data is None else getattr(client, method)(url, data, format="json")

    assert 400 <= response.status_code < 500, response.content
    assert response.json()


@pytest.mark.parametrize("username", ["alice\x00@acme.example", "a" * 300 + "@acme.example", ""])
def test_an_odd_login_form_shows_the_form_again(alice, username):
    response = Client().post("/accounts/login/", {"username": username, "password": "x"})

    assert response.status_code == 200
