"""Each escalation e-mails the manager it is routed to, once, with the case number and
the level in the subject and the organization, severity and reason in the body."""

from __future__ import annotations


def test_the_m1_manager_gets_one_email_with_number_level_organization_severity_and_reason(
    escalate, alice, acme_case, mailoutbox
):
    escalate(alice, acme_case, reason="Nobody has answered since Monday.")

    [mail] = mailoutbox
    assert mail.to == ["max@vendor.example"]
    assert acme_case.number in mail.subject
    assert "M1" in mail.subject
    assert "Acme" in mail.body
    assert "Medium" in mail.body
    assert "Nobody has answered since Monday." in mail.body


def test_the_m2_director_gets_one_email_with_number_level_organization_severity_and_reason(
    escalate, alice, operator, make_case, engineer, director, mailoutbox
):
    case = make_case(severity="critical", assignee=engineer)
    escalate(alice, case)
    mailoutbox.clear()

    escalate(operator, case, reason="The customer's CIO called.", channel="phone")

    [mail] = [mail for mail in mailoutbox if mail.to == ["dora@vendor.example"]]
    assert case.number in mail.subject
    assert "M2" in mail.subject
    assert "Acme" in mail.body
    assert "Critical" in mail.body
    assert "The customer's CIO called." in mail.body


def test_a_fallback_manager_gets_the_email_not_the_absent_one(escalate, alice, acme_case, manager, mia, mailoutbox):
    manager.available = False
    manager.save()

    escalate(alice, acme_case)

    [mail] = mailoutbox
    assert mail.to == ["mia@vendor.example"]
    assert acme_case.number in mail.subject


def test_a_refused_escalation_sends_nothing(escalate, alice, acme_case, mailoutbox):
    escalate(alice, acme_case)
    mailoutbox.clear()

    escalate(alice, acme_case)

    assert mailoutbox == []
