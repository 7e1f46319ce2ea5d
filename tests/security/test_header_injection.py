"""Header injection in e-mails: CR/LF followed by ``Bcc:`` in a case title (the subject),
in people's and organizations' names, in message bodies, reasons and feedback must never
become a header or a recipient.

Everything goes the way a user would send it (the admin API, the profile page, the case
API) and ends at a real SMTP server on loopback: each mail that arrives has exactly one
recipient, the intended one, and only the headers the product writes. A title stored with
line breaks behind the services' back (an import, a database edit) and an address that
could never pass validation are covered too: the outbox refuses to build such a mail
rather than send it somewhere else.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import Organization, User
from cases.models import Case, Message
from escalation.models import EnterpriseDownDeclaration, Escalation, Feedback
from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import queue_email, render_email
from tests.factories import PASSWORD, CaseFactory
from tests.smtp_sink import smtp_sink  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ATTACKER = "evil@attacker.test"
HOSTILE = [
    f"Disk full\r\nBcc: {ATTACKER}\r\nX-Injected: yes",
    f"Disk full\nBcc: {ATTACKER}",
    f"Disk full\rBcc: {ATTACKER}",
    f"Disk full\r\n\r\n<html>body takeover</html>\r\nBcc: {ATTACKER}",
    f"Disk full\u2028Bcc: {ATTACKER}\u0085Cc: {ATTACKER}",
]
# What the product itself writes (Django adds the MIME headers and Date).
EXPECTED_HEADERS = {
    "content-type",
    "mime-version",
    "content-transfer-encoding",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "auto-submitted",
    "reply-to",
    "in-reply-to",
    "references",
}


def assert_clean(delivery, intended: set[str]) -> None:  # type: ignore[no-untyped-def]
    """One recipient, one we meant; no header but ours; no header value names the attacker."""
    message = delivery.message
    assert len(delivery.rcpt_tos) == 1 and delivery.rcpt_tos[0] in intended, delivery.rcpt_tos
    names = {name.lower() for name in message.keys()}
    assert names <= EXPECTED_HEADERS, names - EXPECTED_HEADERS
    assert message["To"] == delivery.rcpt_tos[0]
    for name, value in message.items():
        text = str(value)
        assert "\r" not in text and "\n" not in text, (name, text)
        if name.lower() != "subject":
            assert "attacker" not in text, (name, text)
    for part in message.walk():
        assert not {name.lower() for name in part.keys()} & {"bcc", "cc", "x-injected"}


def run(client_call, capture):  # type: ignore[no-untyped-def]
    """A request, then what follows its commit (delivery to the SMTP sink)."""
    with capture(execute=True):
        response = client_call()
    assert response.status_code in (200, 201, 302), getattr(response, "content", response)
    return response


def test_hostile_names_titles_and_bodies_reach_one_recipient_each(
    api,
    client,
    admin_user,
    engineer,
    manager,
    smtp_sink,  # noqa: F811
    figure,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    evil = HOSTILE[0]
    # The admin provisions an organization and a customer whose names carry the injection.
    org = run(
        lambda: api(admin_user).post(
            "/api/v1/organizations/",
            {
                "name": f"Initrode{evil}",
                "customer_number": "INITRODE-1",
                "plan": "enterprise",
                "production": True,
                "maintenance_until": str(timezone.localdate() + datetime.timedelta(days=90)),
                "country": "US",
                "timezone": "UTC",
            },
            format="json",
        ),
        capture,
    ).json()
    run(
        lambda: api(admin_user).post(
            "/api/v1/users/",
            {
                "email": "cleo@initrode.example",
                "password": PASSWORD,
                "name": f"Cleo{HOSTILE[1]}",
                "role": "customer",
                "memberships": [{"organization": org["id"], "is_primary": True}],
            },
            format="json",
        ),
        capture,
    )
    cleo = User.objects.get(email="cleo@initrode.example")
    assert "\n" in Organization.objects.get(pk=org["id"]).name  # stored as typed: the mail must cope
    # Staff rename themselves on the profile page (a form POST can carry line breaks).
    for person, hostile in ((engineer, HOSTILE[2]), (manager, HOSTILE[3])):
        client.force_login(person)
        run(
            lambda hostile=hostile: client.post(
                "/accounts/profile/", {"name": f"Erin{hostile}", "language": "en", "timezone": "UTC"}
            ),
            capture,
        )
    intended = {cleo.email, engineer.email, manager.email}

    number = run(
        lambda: api(cleo).post(
            "/api/v1/cases/",
            {"title": evil, "description": evil, "severity": "high", "request_type": "incident"},
            format="json",
        ),
        capture,
    ).json()["number"]
    # A title with line breaks that reached the database some other way (an import).
    Case.objects.filter(pk=Case.objects.get(requester=cleo).pk).update(title=HOSTILE[4])
    steps = [
        (manager, f"cases/{number}/assign/", {"assignee": engineer.pk}),
        (engineer, f"cases/{number}/messages/", {"body": evil}),
        (cleo, f"cases/{number}/messages/", {"body": evil}),
        (engineer, f"cases/{number}/request-info/", {"body": evil}),
        (cleo, f"cases/{number}/messages/", {"body": HOSTILE[3]}),
        (cleo, f"cases/{number}/escalations/", {"reason": evil}),
        (
            cleo,
            f"cases/{number}/edown/",
            {
                "category": "server_unresponsive",
                "total_users": 10,
                "affected_users": 9,
                "actions_taken": evil,
                "down_since": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
                "contact": {
                    "name": evil,
                    "phone": "+1 555 0100",
                    "email": "carl@initrode.example",
                    "on_site": True,
                    "speaks_english": True,
                },
            },
        ),
        (cleo, "feedback/", {"case": number, "message": evil}),
        (engineer, f"cases/{number}/propose-solution/", {"body": evil}),
    ]
    for actor, url, body in steps:
        run(lambda actor=actor, url=url, body=body: api(actor).post(f"/api/v1/{url}", body, format="json"), capture)
    # And the password reset mail, with the customer's hostile name in it.
    client.logout()
    run(lambda: client.post("/accounts/password-reset/", {"email": cleo.email}), capture)

    deliveries = smtp_sink.deliveries
    templates = set(OutboxEmail.objects.values_list("template", flat=True))
    assert {
        "case_logged",
        "case_assigned",
        "staff_reply",
        "customer_message",
        "info_requested",
        "escalation_manager",
        "edown_alert",
        "feedback_received",
        "solution_proposed",
        "password_reset",
    } <= templates
    assert len(deliveries) == OutboxEmail.objects.count() >= 10
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    for delivery in deliveries:
        assert_clean(delivery, intended)
    assert all(ATTACKER not in rcpt for delivery in deliveries for rcpt in delivery.rcpt_tos)
    edown = next(d for d in deliveries if "ENTERPRISE DOWN" in d.message["Subject"])
    assert "Initrode" in edown.message["Subject"]  # the name is there, on one line
    figure(
        "Header injection",
        f"{len(deliveries)} e-mails over {len(templates)} templates, 0 injected headers, 0 extra recipients",
    )


def test_every_subject_template_renders_on_one_line(engineer, alice, acme):
    """Each e-mail's subject, rendered with every user-written value hostile."""
    acme.name = HOSTILE[0]
    case = CaseFactory.build(organization=acme, requester=alice, title=HOSTILE[1], pk=1)
    alice.name = HOSTILE[2]
    context = {
        "case": case,
        "recipient": alice,
        "message": Message(case=case, author=engineer, body=HOSTILE[3], body_html=HOSTILE[3]),
        "escalation": Escalation(case=case, level="M1", reason=HOSTILE[0], requested_by=alice, manager=engineer),
        "reason": HOSTILE[0],
        "declaration": EnterpriseDownDeclaration(case=case, contact_name=HOSTILE[0], actions_taken=HOSTILE[4]),
        "feedback": Feedback(case=case, author=alice, message=HOSTILE[0]),
        "case_url": "https://support.example/cases/C-000001/",
        "reset_url": "https://support.example/accounts/password-reset/x/y/",
        "valid_hours": 1,
    }
    templates = sorted(p.name.removesuffix(".subject.txt") for p in _email_dir().glob("*.subject.txt"))
    assert len(templates) >= 15
    for template in templates:
        for language in ("en", "ko", "ru"):
            subject, _text, _html = render_email(template=template, context=context, language=language)
            assert subject and not any(ch in subject for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), (
                template,
                subject,
            )


def _email_dir() -> Path:
    return Path(django_settings.BASE_DIR) / "templates" / "emails"


def test_an_address_with_a_line_break_is_never_sent_anywhere(alice, acme, smtp_sink):  # noqa: F811
    """An address stored behind validation's back: the outbox parks the mail as failed."""
    case = CaseFactory(organization=acme, requester=alice)
    row = queue_email(
        to=f"alice@acme.example\r\nBcc: {ATTACKER}",
        template="case_logged",
        context={"case": case, "recipient": alice, "case_url": "https://support.example/"},
    )
    from notifications.services import deliver_outbox_email

    assert deliver_outbox_email(outbox_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert smtp_sink.deliveries == []
