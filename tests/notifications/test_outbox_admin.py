"""The outgoing e-mails in the admin: listed read only, and failed ones retried from there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import OutboxEmail, OutboxStatus

CHANGELIST = "admin:notifications_outboxemail_changelist"


@pytest.fixture
def superuser(admin_user):  # type: ignore[no-untyped-def]
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    return admin_user


def test_the_changelist_lists_outgoing_emails_for_a_superuser(browser_for, superuser, smtp_sink, committed_ping):
    committed_ping()
    smtp_sink.reject_next(1)
    committed_ping(to="bounce@acme.example", case_number="C-2002")

    response = browser_for(superuser).get(reverse(CHANGELIST))

    assert response.status_code == 200
    page = response.content.decode()
    assert "alice@acme.example" in page
    assert "bounce@acme.example" in page
    assert "Ping: Backups fail every night" in page
    assert "C-2002" in page
    assert "Failed permanently" in page
    assert "Retry now" in page
    assert reverse("admin:notifications_outboxemail_add") not in page


def test_searching_by_case_number_and_filtering_by_status(browser_for, superuser, smtp_sink, committed_ping):
    committed_ping(to="first@acme.example", case_number="C-1001")
    smtp_sink.reject_next(1)
    committed_ping(to="second@acme.example", case_number="C-2002")
    browser = browser_for(superuser)

    by_case = browser.get(reverse(CHANGELIST), {"q": "C-2002"}).content.decode()
    by_status = browser.get(reverse(CHANGELIST), {"status__exact": "sent"}).content.decode()

    assert "second@acme.example" in by_case
    assert "first@acme.example" not in by_case
    assert "first@acme.example" in by_status
    assert "second@acme.example" not in by_status


def test_an_email_opens_read_only(browser_for, superuser, smtp_sink, committed_ping):
    row = committed_ping()
    url = reverse("admin:notifications_outboxemail_change", args=[row.pk])

    page = browser_for(superuser).get(url).content.decode()
    refused = browser_for(superuser).post(url, {"subject": "Changed", "to": "eve@evil.example"})

    assert "Ping about Backups fail every night." in page
    assert 'name="subject"' not in page
    assert refused.status_code == 403
    assert OutboxEmail.objects.get().subject == "Ping: Backups fail every night"


def test_the_retry_now_action_sends_a_failed_email(
    browser_for, superuser, smtp_sink, committed_ping, django_capture_on_commit_callbacks
):
    smtp_sink.reject_next(1)
    row = committed_ping()
    assert row.status == OutboxStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = browser_for(superuser).post(
            reverse(CHANGELIST), {"action": "retry_now", "_selected_action": [row.pk]}, follow=True
        )

    assert response.status_code == 200
    assert "1 failed e-mail will be sent again." in response.content.decode()
    [message] = smtp_sink.wait_for(1)
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_customer_gets_nothing_from_the_outbox_admin(browser_for, alice, smtp_sink, committed_ping):
    committed_ping()

    response = browser_for(alice).get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert "alice@acme.example" not in response.content.decode()
