"""Oscar of Globex learns nothing about Acme's cases through the escalation pages: every
page and every post answers 404, exactly as for a case that does not exist, and nothing
changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Channel
from escalation import services

PAGES = ["escalation:edown", "escalation:feedback"]
POSTS = [
    ("escalation:severity", {"severity": "high", "reason": "Mine now."}),
    ("escalation:escalate", {"reason": "Mine now."}),
    ("escalation:edown", {"category": "server_unresponsive"}),
    ("escalation:feedback", {"message": "Mine now.", "escalate": "on"}),
    ("escalation:spr", {"spr_number": "S-1"}),
]


@pytest.mark.parametrize("name", PAGES)
def test_the_outsider_gets_404_on_every_page(browser_for, oscar, acme_case, name):
    assert browser_for(oscar).get(reverse(name, args=[acme_case.number])).status_code == 404


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_the_outsider_gets_404_on_every_post_and_nothing_changes(browser_for, oscar, acme_case, state_of, name, data):
    before = state_of(acme_case)

    response = browser_for(oscar).post(reverse(name, args=[acme_case.number]), data)

    assert response.status_code == 404
    assert state_of(acme_case) == before


def test_the_outsider_cannot_acknowledge(browser_for, oscar, alice, acme_case, state_of):
    escalation = services.escalate_case(case=acme_case, actor=alice, reason="Help.", channel=Channel.WEB)
    before = state_of(acme_case)

    response = browser_for(oscar).post(reverse("escalation:acknowledge", args=[acme_case.number, escalation.pk]))

    assert response.status_code == 404
    assert state_of(acme_case) == before


@pytest.mark.parametrize("number", ["C-999999", "C-1", "nonsense"])
def test_a_case_that_does_not_exist_answers_the_same(browser_for, alice, number):
    assert browser_for(alice).get(reverse("escalation:edown", args=[number])).status_code == 404
    assert browser_for(alice).post(reverse("escalation:escalate", args=[number]), {"reason": "x"}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, acme_case):
    response = client.get(reverse("escalation:edown", args=[acme_case.number]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
