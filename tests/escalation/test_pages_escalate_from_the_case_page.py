"""A customer escalates a case once from the case page (M1); the web tracker allows no
second escalation and says to call support or use the feedback form."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Channel, EscalationLevel
from escalation.models import Escalation, Level
from notifications.models import OutboxEmail

WEB_LIMIT = "The web tracker allows one escalation: to escalate further, call support or use the feedback form."


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def escalate_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("escalation:escalate", args=[case.number])


def test_the_customer_escalates_once_to_the_engineers_manager(browser_for, alice, acme_case, manager):
    client = browser_for(alice)
    assert f'action="{escalate_url(acme_case)}"' in text(client.get(reverse("cases:detail", args=[acme_case.number])))

    response = client.post(escalate_url(acme_case), {"reason": "No answer for three days."})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[acme_case.number])
    escalation = Escalation.objects.get(case=acme_case)
    assert (escalation.level, escalation.channel, escalation.manager, escalation.requested_by) == (
        Level.M1,
        Channel.WEB,
        manager,
        alice,
    )
    acme_case.refresh_from_db()
    assert acme_case.escalation_level == EscalationLevel.M1
    assert OutboxEmail.objects.filter(to=manager.email, template="escalation_manager").exists()
    page = text(client.get(response["Location"]))
    assert "The case has been escalated to M1. Max Manager has been told." in page
    # The case page lists the escalation: level, manager, time, not yet acknowledged.
    assert "Management escalations" in page
    assert "M1 — direct manager" in page
    assert "Max Manager" in page
    assert "Not yet" in page


def test_an_escalated_case_offers_the_feedback_form_instead_of_the_button(browser_for, alice, acme_case):
    client = browser_for(alice)
    client.post(escalate_url(acme_case), {"reason": "No answer for three days."})

    page = text(client.get(reverse("cases:detail", args=[acme_case.number])))

    assert WEB_LIMIT in page
    assert f'action="{escalate_url(acme_case)}"' not in page
    assert f'href="{reverse("escalation:feedback", args=[acme_case.number])}"' in page


def test_a_second_web_escalation_is_refused_and_records_nothing(browser_for, alice, acme_case, state_of):
    client = browser_for(alice)
    client.post(escalate_url(acme_case), {"reason": "No answer for three days."})
    before = state_of(acme_case)

    response = client.post(escalate_url(acme_case), {"reason": "Still nothing."})

    assert response.status_code == 409
    assert WEB_LIMIT in text(response)
    assert state_of(acme_case) == before
    assert Escalation.objects.filter(case=acme_case).count() == 1


def test_with_htmx_a_second_escalation_refreshes_the_page_to_say_why(browser_for, alice, acme_case):
    client = browser_for(alice)
    client.post(escalate_url(acme_case), {"reason": "No answer for three days."})

    response = client.post(escalate_url(acme_case), {"reason": "Still nothing."}, headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert WEB_LIMIT in text(client.get(reverse("cases:detail", args=[acme_case.number])))


def test_an_escalation_without_a_reason_is_refused_beside_the_field(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(escalate_url(acme_case), {"reason": ""})

    assert response.status_code == 400
    assert '<ul class="field-error" id="esc_reason_error">' in text(response)
    assert state_of(acme_case) == before
