"""Staff pages answer 403 to customers, whatever case number they try."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, Message

STAFF_GETS = ["cases:dashboard", "cases:phone_desk"]
STAFF_CASE_POSTS = [
    ("cases:workspace_message", {"body": "Hi", "visibility": "internal"}),
    ("cases:request_info", {"body": "Send logs"}),
    ("cases:propose_solution", {"body": "Restart it"}),
    ("cases:assign", {"assignee": ""}),
    ("cases:tier", {"tier": "L2", "note": "Over to you"}),
    ("cases:time", {"minutes": "30"}),
]


@pytest.mark.parametrize("name", STAFF_GETS)
def test_a_customer_gets_403_on_staff_pages(browser_for, alice, name):
    assert browser_for(alice).get(reverse(name)).status_code == 403


def test_a_customer_gets_403_on_the_workspace_of_their_own_case(browser_for, alice, acme_case):
    response = browser_for(alice).get(reverse("cases:workspace", args=[acme_case.number]))

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "data"), STAFF_CASE_POSTS)
def test_a_customer_gets_403_on_workspace_actions(browser_for, alice, acme_case, name, data):
    response = browser_for(alice).post(reverse(name, args=[acme_case.number]), data)

    assert response.status_code == 403
    acme_case.refresh_from_db()
    assert (acme_case.status, acme_case.tier, acme_case.spent_minutes) == ("open", "L1", 0)
    assert Message.objects.count() == 0


def test_a_customer_gets_403_on_bulk_assign(browser_for, alice, acme_case, engineer):
    response = browser_for(alice).post(
        reverse("cases:bulk_assign"), {"cases": [acme_case.number], "assignee": engineer.pk}
    )

    assert response.status_code == 403
    assert Case.objects.get().assignee is None


def test_a_customer_gets_403_on_the_phone_desk_form(browser_for, alice):
    response = browser_for(alice).post(reverse("cases:phone_desk") + f"?customer={alice.pk}", {"title": "x"})

    assert response.status_code == 403
    assert Case.objects.count() == 0
