"""The phone desk: find the caller, then log the case they describe, in their name."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case, Channel
from notifications.models import OutboxEmail

PHONE_URL = "/staff/phone/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def valid(**overrides):  # type: ignore[no-untyped-def]
    return {
        "request_type": "incident",
        "severity": "critical",
        "title": "Checkout page times out",
        "description": "Customer reports time-outs since this morning.",
        **overrides,
    }


def test_the_phone_desk_finds_a_customer_by_customer_number(browser_for, engineer, alice, oscar):
    response = browser_for(engineer).get(PHONE_URL, {"q": "ACME-1"})

    assert response.status_code == 200
    body = text(response)
    assert "Alice Acme" in body and "alice@acme.example" in body
    assert "ACME-1 – Acme" in body
    assert "Oscar" not in body
    assert f'href="{PHONE_URL}?q=ACME-1&amp;customer={alice.pk}"' in body


def test_the_phone_desk_finds_a_customer_by_name_or_address(browser_for, engineer, alice):
    client = browser_for(engineer)

    assert "alice@acme.example" in text(client.get(PHONE_URL, {"q": "alice acme"}))
    assert "alice@acme.example" in text(client.get(PHONE_URL, {"q": "acme.example"}))
    assert "No customer matches “nobody”." in text(client.get(PHONE_URL, {"q": "nobody"}))


def test_choosing_the_caller_shows_the_log_form_with_their_organizations(browser_for, engineer, alice, acme, initech):
    body = text(browser_for(engineer).get(PHONE_URL, {"customer": alice.pk}))

    assert "New case for Alice Acme" in body
    assert f'<option value="{acme.pk}" selected>ACME-1 – Acme</option>' in body
    assert f'<option value="{initech.pk}">INITECH-1 – Initech</option>' in body
    assert 'value="enterprise_down"' not in body
    assert 'value="critical"' in body


def test_a_phone_call_logs_a_case_for_the_customer(browser_for, engineer, alice, acme):
    client = browser_for(engineer)

    response = client.post(f"{PHONE_URL}?customer={alice.pk}", valid(organization=acme.pk))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:workspace", args=[case.number])
    assert (case.requester, case.created_by, case.organization) == (alice, engineer, acme)
    assert (case.channel, case.severity) == (Channel.PHONE, "critical")
    assert OutboxEmail.objects.filter(to=alice.email, template="case_logged").exists()
    page = text(client.get(response["Location"]))
    assert f"Case {case.number} has been logged for Alice Acme." in page


def test_an_operator_logs_phone_calls_too(browser_for, operator, alice, acme):
    response = browser_for(operator).post(f"{PHONE_URL}?customer={alice.pk}", valid(organization=acme.pk))

    assert response.status_code == 302
    assert Case.objects.get().channel == Channel.PHONE


def test_errors_are_shown_beside_the_fields_and_nothing_is_logged(browser_for, engineer, alice, globex):
    client = browser_for(engineer)

    no_title = client.post(f"{PHONE_URL}?customer={alice.pk}", valid(title=""))
    foreign = client.post(f"{PHONE_URL}?customer={alice.pk}", valid(organization=globex.pk))

    assert no_title.status_code == 400
    assert '<ul class="field-error" id="id_title_error">' in text(no_title)
    assert foreign.status_code == 400
    assert '<ul class="field-error" id="id_organization_error">' in text(foreign)
    assert Case.objects.count() == 0


def test_staff_cannot_be_chosen_as_the_caller(browser_for, engineer, manager):
    response = browser_for(engineer).post(f"{PHONE_URL}?customer={manager.pk}", valid())

    assert response.status_code == 400
    assert "Find and choose the customer who is calling first." in text(response)
    assert Case.objects.count() == 0
