"""``POST /api/v1/mail/inbound/``: a mail provider's inbound webhook hands over raw MIME,
authenticated by a shared secret; the mail goes where the pipe would send it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from inbound.models import Disposition, InboundMessage, Source
from tests.inbound.mails import plain_mail

URL = "/api/v1/mail/inbound/"
SECRET = "s3cret-webhook-token-for-tests"


@pytest.fixture
def webhook(settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.INBOUND_WEBHOOK_SECRET = SECRET

    def post(raw: bytes, *, secret: str | None = SECRET, **extra):  # type: ignore[no-untyped-def]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
        with django_capture_on_commit_callbacks(execute=True):
            return APIClient().post(URL, data=raw, content_type="message/rfc822", **headers, **extra)

    return post


def test_without_the_secret_it_is_refused_and_nothing_is_stored(webhook, alice):
    for secret in (None, "wrong", ""):
        response = webhook(plain_mail(sender=alice.email), secret=secret)

        assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_token_login_is_not_the_webhook_secret(webhook, alice, engineer):
    client = APIClient()
    client.force_authenticate(engineer)

    response = client.post(URL, data=plain_mail(sender=alice.email), content_type="message/rfc822")

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_it_is_unavailable_until_a_secret_is_configured(settings, alice):
    settings.INBOUND_WEBHOOK_SECRET = ""

    response = APIClient().post(
        URL, data=plain_mail(sender=alice.email), content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer "
    )

    assert response.status_code == 503
    assert "detail" in response.json()


def test_raw_mime_with_the_secret_is_accepted_and_routed(webhook, alice):
    response = webhook(plain_mail(sender=alice.email))

    assert response.status_code == 202
    body = response.json()
    inbound = InboundMessage.objects.get(pk=body["id"])
    assert body["disposition"] == inbound.disposition == Disposition.NEW_CASE
    assert inbound.source == Source.WEBHOOK
    assert inbound.case.requester == alice


def test_a_multipart_message_field_is_accepted(settings, alice, django_capture_on_commit_callbacks):
    settings.INBOUND_WEBHOOK_SECRET = SECRET
    upload = SimpleUploadedFile("message.eml", plain_mail(sender=alice.email), content_type="message/rfc822")

    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(URL, {"message": upload}, format="multipart", HTTP_AUTHORIZATION=f"Bearer {SECRET}")

    assert response.status_code == 202
    assert response.json()["disposition"] == Disposition.NEW_CASE


def test_the_same_mail_posted_twice_is_stored_once(webhook, alice):
    first = webhook(plain_mail(sender=alice.email)).json()
    second = webhook(plain_mail(sender=alice.email)).json()

    assert first == second
    assert InboundMessage.objects.count() == 1


def test_quarantined_mail_is_accepted_too(webhook, db):
    response = webhook(b"\x00\xff not a mail at all")

    assert response.status_code == 202
    assert response.json()["disposition"] == Disposition.QUARANTINE
    assert response.json()["reason"] == "malformed"


def test_a_request_without_a_message_is_a_400(webhook, db):
    response = webhook(b"")

    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_mail_larger_than_the_form_upload_limit_is_streamed_in(webhook, alice, settings):
    attachment = b"A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024)
    raw = plain_mail(sender=alice.email, body="Dump attached.") + b"\n" + attachment

    response = webhook(raw)

    assert response.status_code == 202
    assert InboundMessage.objects.get(pk=response.json()["id"]).size == len(raw)
