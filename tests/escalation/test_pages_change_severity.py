"""The customer changes the severity from the case page (critical … low), with and
without JavaScript; Enterprise Down is never one of the choices there."""

from __future__ import annotations

from django.urls import reverse

from cases.models import CaseEvent, Channel, EventKind, Severity
from notifications.models import OutboxEmail


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_case_page_offers_the_four_severities_but_not_enterprise_down(browser_for, alice, acme_case):
    response = browser_for(alice).get(reverse("cases:detail", args=[acme_case.number]))

    body = text(response)
    assert "Change case severity" in body
    assert f'action="{reverse("escalation:severity", args=[acme_case.number])}"' in body
    for value in ("critical", "high", "medium", "low"):
        assert f'<option value="{value}"' in body
    assert '<option value="enterprise_down"' not in body


def test_the_customer_raises_the_severity_and_the_engineer_is_told(browser_for, alice, acme_case, engineer):
    client = browser_for(alice)

    response = client.post(
        reverse("escalation:severity", args=[acme_case.number]),
        {"severity": "critical", "reason": "Month-end closing is blocked."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[acme_case.number])
    acme_case.refresh_from_db()
    assert acme_case.severity == Severity.CRITICAL
    event = CaseEvent.objects.get(case=acme_case, kind=EventKind.SEVERITY)
    assert (event.before, event.after, event.channel, event.actor) == ("medium", "critical", Channel.WEB, alice)
    assert OutboxEmail.objects.filter(to=engineer.email, template="severity_changed").exists()
    page = text(client.get(response["Location"]))
    assert "The severity is now Critical." in page
    assert '<span class="badge sev-critical">Critical</span>' in page


def test_a_change_without_a_reason_is_refused_beside_the_field(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(
        reverse("escalation:severity", args=[acme_case.number]), {"severity": "high", "reason": " "}
    )

    assert response.status_code == 400
    body = text(response)
    assert '<ul class="field-error" id="sev_reason_error">' in body
    assert "Say why the severity changes." in body
    assert state_of(acme_case) == before


def test_the_same_severity_again_is_refused_beside_the_choice(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(
        reverse("escalation:severity", args=[acme_case.number]), {"severity": "medium", "reason": "Just checking."}
    )

    assert response.status_code == 400
    assert '<ul class="field-error" id="sev_severity_error">' in text(response)
    assert "The case already has this severity." in text(response)
    assert state_of(acme_case) == before


def test_enterprise_down_sent_anyway_is_refused(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(
        reverse("escalation:severity", args=[acme_case.number]),
        {"severity": "enterprise_down", "reason": "Everything is down."},
    )

    assert response.status_code == 400
    assert '<ul class="field-error" id="sev_severity_error">' in text(response)
    assert state_of(acme_case) == before


def test_with_htmx_only_the_form_comes_back_with_its_errors(browser_for, alice, acme_case):
    response = browser_for(alice).post(
        reverse("escalation:severity", args=[acme_case.number]),
        {"severity": "high", "reason": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    body = text(response)
    assert body.startswith('<form id="severity-form"')
    assert "<html" not in body
    assert '<ul class="field-error" id="sev_reason_error">' in body


def test_with_htmx_a_change_sends_the_browser_back_to_the_case(browser_for, alice, acme_case):
    response = browser_for(alice).post(
        reverse("escalation:severity", args=[acme_case.number]),
        {"severity": "low", "reason": "We found a workaround."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("cases:detail", args=[acme_case.number])
    acme_case.refresh_from_db()
    assert acme_case.severity == Severity.LOW


def test_a_customer_cannot_lower_an_enterprise_down_case(browser_for, alice, make_case, state_of):
    case = make_case(severity=Severity.ENTERPRISE_DOWN)
    client = browser_for(alice)

    page = text(client.get(reverse("cases:detail", args=[case.number])))
    before = state_of(case)
    response = client.post(reverse("escalation:severity", args=[case.number]), {"severity": "low", "reason": "Fine."})

    assert "Support lowers the severity of an Enterprise Down case once a working system is restored." in page
    assert 'id="severity-form"' not in page
    assert response.status_code == 403
    assert state_of(case) == before


def test_a_closed_case_offers_no_severity_change(browser_for, alice, make_case):
    case = make_case(status="closed")

    body = text(browser_for(alice).get(reverse("cases:detail", args=[case.number])))

    assert 'id="severity-form"' not in body
    assert "Declare Enterprise Down" not in body
