"""The Case Logger: a customer logs a case in the browser (never as Enterprise Down)."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.selectors import SESSION_ACTIVE_ORG
from cases.models import Attachment, Case, Channel
from notifications.models import OutboxEmail

LOG_URL = "/cases/new/"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def valid(**overrides):  # type: ignore[no-untyped-def]
    return {
        "request_type": "incident",
        "product": "Vault",
        "version": "7.2",
        "severity": "high",
        "title": "Backups fail every night",
        "description": "Since the upgrade to 7.2 the nightly backup stops at 40%.",
        **overrides,
    }


def test_the_case_logger_asks_for_the_case_but_never_offers_enterprise_down(browser_for, alice):
    response = browser_for(alice).get(LOG_URL)

    assert response.status_code == 200
    body = text(response)
    for name in ("request_type", "product", "version", "severity", "title", "description"):
        assert f'name="{name}"' in body, name
    assert re.search(r'<input type="file" name="attachments" multiple', body)
    assert 'value="enterprise_down"' not in body
    assert "Enterprise Down is declared on an existing case, from the Case Tracker" in body
    assert '<div id="kb-suggestions" aria-live="polite"></div>' in body
    # One organization: nothing to choose.
    assert 'name="organization"' not in body


def test_logging_a_case_opens_it_and_sends_the_confirmation(browser_for, alice, acme):
    client = browser_for(alice)

    response = client.post(LOG_URL, valid())

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    assert (case.organization, case.requester, case.channel) == (acme, alice, Channel.WEB)
    assert (case.severity, case.product, case.version) == ("high", "Vault", "7.2")
    assert OutboxEmail.objects.filter(to=alice.email, template="case_logged", case_number=case.number).exists()
    page = text(client.get(response["Location"]))
    assert f"Case {case.number} has been logged. A confirmation e-mail is on its way." in page
    assert "Backups fail every night" in page


def test_files_logged_with_the_case_are_stored_and_linked(browser_for, alice, upload):
    client = browser_for(alice)

    response = client.post(
        LOG_URL, valid(attachments=[upload("trace.log", b"stack"), upload("screen.png", b"png", "image/png")])
    )

    assert response.status_code == 302
    case = Case.objects.get()
    names = sorted(Attachment.objects.filter(case=case).values_list("name", flat=True))
    assert names == ["screen.png", "trace.log"]
    page = text(client.get(response["Location"]))
    for attachment in case.attachments.all():
        assert f'href="{reverse("cases:attachment", args=[attachment.pk])}"' in page


def test_an_empty_title_is_shown_beside_the_field_and_nothing_is_written(browser_for, alice):
    response = browser_for(alice).post(LOG_URL, valid(title="  "))

    assert response.status_code == 400
    body = text(response)
    assert 'aria-invalid="true"' in body
    assert '<ul class="field-error" id="id_title_error">' in body
    assert "Give the case a short title." in body
    assert 'value="Vault"' in body  # what was typed is kept
    assert Case.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_a_too_large_attachment_is_refused_beside_the_field(browser_for, alice, settings, upload):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = browser_for(alice).post(LOG_URL, valid(attachments=[upload("huge.log", b"x" * 11)]))

    assert response.status_code == 400
    body = text(response)
    assert '<ul class="field-error" id="id_attachments_error">' in body
    assert "“huge.log” is larger than the limit of 10" in body
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_enterprise_down_sent_anyway_is_refused(browser_for, alice):
    response = browser_for(alice).post(LOG_URL, valid(severity="enterprise_down"))

    assert response.status_code == 400
    assert '<ul class="field-error" id="id_severity_error">' in text(response)
    assert Case.objects.count() == 0


def test_a_partners_customer_is_told_which_partner_gives_consultations(browser_for, pat):
    response = browser_for(pat).post(LOG_URL, valid(request_type="consultation"))

    assert response.status_code == 400
    body = text(response)
    assert '<ul class="field-error" id="id_request_type_error">' in body
    assert "Partner Systems (PARTNER-7)" in body
    assert Case.objects.count() == 0


def test_a_member_of_several_organizations_picks_one_starting_from_the_active_one(browser_for, alice, acme, initech):
    client = browser_for(alice)
    session = client.session
    session[SESSION_ACTIVE_ORG] = initech.pk
    session.save()

    body = text(client.get(LOG_URL))

    assert f'<option value="{initech.pk}" selected>INITECH-1 – Initech</option>' in body
    assert f'<option value="{acme.pk}">ACME-1 – Acme</option>' in body

    response = client.post(LOG_URL, valid(organization=acme.pk))

    assert response.status_code == 302
    assert Case.objects.get().organization == acme


def test_one_cannot_log_a_case_for_an_organization_one_does_not_belong_to(browser_for, alice, initech, globex):
    response = browser_for(alice).post(LOG_URL, valid(organization=globex.pk))

    assert response.status_code == 400
    assert '<ul class="field-error" id="id_organization_error">' in text(response)
    assert Case.objects.count() == 0


def test_staff_are_sent_to_the_phone_desk(browser_for, engineer):
    response = browser_for(engineer).get(LOG_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:phone_desk")
