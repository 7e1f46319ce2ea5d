"""The staff "Mail quarantine" page lists held mail with its three actions; one stored
mail shows decoded and as text only; customers get 403; every string is translatable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from inbound.models import Disposition
from tests.inbound.mails import plain_mail
from tests.test_layout import TEMPLATE_NOISE, VISIBLE_ATTRIBUTE, page, text

QUARANTINE = reverse("inbound:quarantine")


@pytest.fixture
def held(ingest, waiting_case):  # type: ignore[no-untyped-def]
    html = (
        "From: Mallory <mallory@evil.example>\nTo: support@support.example\nSubject: =?utf-8?b?0J/RgNC40LLQtdGC?=\n"
        "Message-ID: <evil-1@evil.example>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Hello <b>there</b></p><script>alert('x')</script><img src=x onerror=alert(1)>\n"
    )
    return ingest(html.encode())


def test_staff_see_held_mail_with_the_three_actions(browser_for, operator, held):
    response = browser_for(operator).get(QUARANTINE)

    assert response.status_code == 200
    body = text(response)
    assert "Mail quarantine" in body
    assert "mallory@evil.example" in body and "Привет" in body and "Unknown sender" in body
    html = page(response)
    for name in ("attach", "open_case", "discard"):
        assert html.find("form", method="post", action=reverse(f"inbound:{name}", args=[held.pk])) is not None
    assert html.find("input", name="case", id=f"attach_{held.pk}_case") is not None
    assert html.labels[f"attach_{held.pk}_case"].startswith("Case number")
    assert html.labels[f"open_{held.pk}_requester"].startswith("Customer's e-mail address")


@pytest.mark.parametrize("url", ["inbound:quarantine", "inbound:original", "inbound:raw"])
def test_customers_get_403(browser_for, alice, held, url):
    args = [] if url == "inbound:quarantine" else [held.pk]

    assert browser_for(alice).get(reverse(url, args=args)).status_code == 403


def test_the_original_is_shown_as_text_never_as_html(browser_for, engineer, held):
    response = browser_for(engineer).get(reverse("inbound:original", args=[held.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert" not in content and "onerror" not in content and "<b>there</b>" not in content
    assert "Hello there" in text(response)
    assert "mallory@evil.example" in text(response)


def test_attaching_from_the_page_puts_the_mail_on_the_case(browser_for, operator, held, waiting_case):
    client = browser_for(operator)

    response = client.post(
        reverse("inbound:attach", args=[held.pk]), {"case": waiting_case.number.lower()}, follow=True
    )

    assert response.redirect_chain == [(QUARANTINE, 302)]
    assert f"The e-mail has been added to case {waiting_case.number}." in text(response)
    held.refresh_from_db()
    assert (held.disposition, held.case) == (Disposition.ATTACHED, waiting_case)


def test_a_wrong_case_number_is_shown_beside_the_field(browser_for, operator, held):
    response = browser_for(operator).post(reverse("inbound:attach", args=[held.pk]), {"case": "C-424242"})

    assert response.status_code == 400
    field = page(response).find("input", name="case", id=f"attach_{held.pk}_case")
    assert field is not None and field.get("aria-invalid") == "true"
    assert "There is no case C-424242." in text(response)


def test_opening_a_case_and_discarding_from_the_page(browser_for, operator, ingest, alice, held):
    client = browser_for(operator)
    other = ingest(plain_mail(sender="stranger@nowhere.example", message_id="<other@x>"))

    client.post(reverse("inbound:open_case", args=[held.pk]), {"requester": alice.email})
    client.post(reverse("inbound:discard", args=[other.pk]))

    held.refresh_from_db()
    other.refresh_from_db()
    assert held.disposition == Disposition.NEW_CASE and held.case.requester == alice
    assert other.disposition == Disposition.DISCARDED
    response = client.post(reverse("inbound:discard", args=[other.pk]))
    assert response.status_code == 409
    assert "no longer in quarantine" in text(response)


def test_a_case_message_leads_staff_to_its_original(browser_for, engineer, ingest, corpus):
    landed = ingest(corpus("outlook_en_reply.eml"))

    response = browser_for(engineer).get(reverse("inbound:message_original", args=[landed.case_message_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("inbound:original", args=[landed.pk])


def test_every_visible_string_in_the_inbound_templates_is_marked_for_translation():
    unmarked = []
    for path in sorted((Path(settings.BASE_DIR) / "templates" / "inbound").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        attributes = list(VISIBLE_ATTRIBUTE.findall(source))
        for noise in TEMPLATE_NOISE:
            source = noise.sub(" ", source)
            attributes = [noise.sub(" ", value) for value in attributes]
        leftovers = re.sub(r"<[^>]*>", " ", source)
        for chunk in [*leftovers.split("\n"), *attributes]:
            if re.search(r"[^\W\d_]{2,}", chunk):
                unmarked.append(f"{path.name}: {chunk.strip()}")
    assert unmarked == []


def test_the_case_a_held_reply_claimed_is_offered_for_attaching(
    browser_for, operator, ingest, corpus, oscar, waiting_case
):
    held = ingest(corpus("outsider_reply.eml"))

    response = browser_for(operator).get(QUARANTINE)

    assert page(response).find("input", name="case", id=f"attach_{held.pk}_case", value=waiting_case.number)
