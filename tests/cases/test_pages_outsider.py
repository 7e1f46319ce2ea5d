"""The outsider (Oscar, of Globex) learns nothing about Acme's cases or billing: every
page and action answers 404, exactly as for something that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Message, Status

ACTIONS = [
    ("get", "detail", {}),
    ("post", "reply", {"body": "Let me in"}),
    ("post", "confirm", {}),
    ("post", "reopen", {"reason": "Let me in"}),
    ("post", "withdraw", {"reason": "Let me in"}),
]


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS)
def test_the_outsider_gets_404_on_acmes_case(browser_for, oscar, make_case, method, name, data):
    case = make_case(status=Status.SOLUTION_PROPOSED if name != "reopen" else Status.CLOSED)
    client = browser_for(oscar)

    response = getattr(client, method)(reverse(f"cases:{name}", args=[case.number]), data)
    missing = getattr(client, method)(reverse(f"cases:{name}", args=["C-999999"]), data)

    assert response.status_code == 404
    assert missing.status_code == 404
    assert case.title not in response.content.decode()
    status_before = case.status
    case.refresh_from_db()
    assert case.status == status_before
    assert Message.objects.count() == 0


def test_the_outsider_gets_404_on_acmes_billing(browser_for, oscar, acme):
    client = browser_for(oscar)

    response = client.get(reverse("cases:billing", args=[acme.pk]), {"month": "2026-01"})
    missing = client.get(reverse("cases:billing", args=[999_999]))

    assert response.status_code == 404
    assert missing.status_code == 404
    assert "Acme" not in response.content.decode()
