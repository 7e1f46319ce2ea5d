"""Given a change that queues an e-mail and commits, the recipient gets it once, whole."""

from __future__ import annotations

from django.db import transaction

from notifications.models import OutboxEmail, OutboxStatus
from tests.notifications.ping_email import queue_ping


def test_it_delivers_a_committed_email_once_with_its_headers_and_both_parts(
    smtp_sink, django_capture_on_commit_callbacks, settings, db
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        row = queue_ping()
        assert smtp_sink.messages == [], "nothing leaves before the commit"

    assert len(callbacks) == 1
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "alice@acme.example"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == "Ping: Backups fail every night"
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["In-Reply-To"] is None
    assert message["Reply-To"] is None
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Ping about Backups fail every night." in text
    assert f"{settings.SITE_URL}/cases/C-1001" in text
    assert "<strong>Backups fail every night</strong>" in html
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert smtp_sink.deliveries[0].rcpt_tos == ["alice@acme.example"]


def test_a_reply_carries_threading_and_reply_to_headers(smtp_sink, committed_ping):
    row = committed_ping(in_reply_to="<first@support.example>", reply_to="case-C-1001@support.example")

    [message] = smtp_sink.wait_for(1)
    assert message["In-Reply-To"] == "<first@support.example>"
    assert message["References"] == "<first@support.example>"
    assert message["Reply-To"] == "case-C-1001@support.example"
    assert row.status == OutboxStatus.SENT


def test_an_email_without_an_html_template_arrives_as_plain_text(smtp_sink, committed_ping, tmp_path, settings):
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "note.subject.txt").write_text("A note")
    (emails / "note.body.txt").write_text("Just text.")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]

    committed_ping(template="note")

    [message] = smtp_sink.wait_for(1)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Just text."
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT
