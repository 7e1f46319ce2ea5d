"""Managers and directors see the open escalations routed to them, unacknowledged
first, and acknowledge them there; nobody else gets the page."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Channel
from escalation import services
from escalation.models import Escalation

MINE = "/staff/escalations/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_page_lives_at_staff_escalations(db):
    assert reverse("escalation:mine") == MINE


def test_the_manager_sees_a_phone_escalation_and_acknowledges_it(browser_for, engineer, manager, acme_case):
    services.escalate_case(case=acme_case, actor=engineer, reason="Customer called twice.", channel=Channel.PHONE)
    client = browser_for(manager)

    page = client.get(MINE)

    assert page.status_code == 200
    body = text(page)
    assert f'<a href="{reverse("cases:workspace", args=[acme_case.number])}">{acme_case.number}</a>' in body
    for shown in ("Acme", "ACME-1", "M1 — direct manager", "Customer called twice.", "Erin Engineer", "Phone"):
        assert shown in body, shown
    assert '<span class="badge sev-medium">Medium</span>' in body
    escalation = Escalation.objects.get(case=acme_case)
    url = reverse("escalation:acknowledge", args=[acme_case.number, escalation.pk])
    assert f'action="{url}"' in body

    response = client.post(url, {"next": "mine"})

    assert response.status_code == 302
    assert response["Location"] == MINE
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is not None
    assert escalation.acknowledged_by == manager
    after = text(client.get(MINE))
    assert f"You have acknowledged the M1 escalation of case {acme_case.number}." in after
    assert f'action="{url}"' not in after


def test_acknowledging_twice_says_it_was_already_done(browser_for, engineer, manager, acme_case):
    escalation = services.escalate_case(case=acme_case, actor=engineer, reason="Call.", channel=Channel.PHONE)
    services.acknowledge_escalation(escalation=escalation, actor=manager)

    response = browser_for(manager).post(
        reverse("escalation:acknowledge", args=[acme_case.number, escalation.pk]), {"next": "mine"}
    )

    assert response.status_code == 409
    assert "This escalation has already been acknowledged." in text(response)


def test_unacknowledged_escalations_come_first(browser_for, manager, routed_to, time_machine):
    time_machine.move_to(timezone.now() - datetime.timedelta(days=2))
    older = routed_to(manager)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    seen = routed_to(manager)
    services.acknowledge_escalation(escalation=seen, actor=manager)
    Case.objects.filter(pk=older.case_id).update(title="Older, still waiting")
    Case.objects.filter(pk=seen.case_id).update(title="Newer, already seen")

    body = text(browser_for(manager).get(MINE))

    assert body.index("Older, still waiting") < body.index("Newer, already seen")


def test_closed_cases_and_other_managers_escalations_are_not_listed(browser_for, manager, mia, routed_to):
    Case.objects.filter(pk=routed_to(manager, status="closed").case_id).update(title="Closed one")
    Case.objects.filter(pk=routed_to(mia).case_id).update(title="Mia's case")

    body = text(browser_for(manager).get(MINE))

    assert "Closed one" not in body
    assert "Mia&#x27;s case" not in body
    assert "No open case is escalated to you." in body


def test_directors_and_admins_get_the_page(browser_for, director, admin_user):
    assert browser_for(director).get(MINE).status_code == 200
    assert browser_for(admin_user).get(MINE).status_code == 200


def test_engineers_operators_and_customers_are_refused(browser_for, engineer, operator, alice):
    for person in (engineer, operator, alice):
        assert browser_for(person).get(MINE).status_code == 403, person


def test_the_navigation_links_it_for_managers_only(browser_for, manager, engineer):
    assert f'href="{MINE}"' in text(browser_for(manager).get(reverse("cases:dashboard")))
    assert f'href="{MINE}"' not in text(browser_for(engineer).get(reverse("cases:dashboard")))
