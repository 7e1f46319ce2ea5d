"""Given a title with line breaks, the subject stays one line and adds no header or recipient."""

from __future__ import annotations

from notifications.models import OutboxStatus


def test_a_subject_with_cr_lf_in_the_context_arrives_as_one_line(smtp_sink, committed_ping):
    title = "Printer down\r\nBcc: victim@evil.example\r\n\r\nInjected body"

    row = committed_ping(context={"title": title})

    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "Ping: Printer down Bcc: victim@evil.example Injected body"
    assert message["Bcc"] is None
    assert message.get_all("Subject") == [message["Subject"]]
    assert smtp_sink.deliveries[0].rcpt_tos == ["alice@acme.example"]
    assert row.status == OutboxStatus.SENT
