"""POST /api/v1/feedback/ {"case", "message", "escalate"}: a customer's word to support
management, which steps the escalation one level when asked (past M1 too)."""

from __future__ import annotations

from cases.models import Case
from escalation.models import Escalation, Feedback


def test_feedback_asking_for_escalation_steps_a_fresh_case_to_m1(post, alice, acme_case, manager, mailoutbox):
    response = post(
        alice, "feedback/", {"case": acme_case.number, "message": "Please get a manager on this.", "escalate": True}
    )

    assert response.status_code == 201, response.json()
    escalation = Escalation.objects.get(case=acme_case)
    assert (escalation.level, escalation.channel, escalation.manager) == ("M1", "feedback_form", manager)
    assert escalation.reason == "Please get a manager on this."
    assert Case.objects.get(pk=acme_case.pk).escalation_level == "M1"
    [mail] = mailoutbox
    assert mail.to == ["max@vendor.example"]
    assert acme_case.number in mail.subject


def test_feedback_escalates_past_the_web_limit(post, escalate, alice, acme_case, director, mailoutbox):
    # Given Alice used her one web escalation
    escalate(alice, acme_case)

    # When she asks again through the feedback form
    response = post(alice, "feedback/", {"case": acme_case.number, "message": "Still down.", "escalate": True})

    # Then the case goes to M2
    assert response.status_code == 201, response.json()
    assert response.json()["escalation"]["level"] == "M2"
    assert Case.objects.get(pk=acme_case.pk).escalation_level == "M2"
    assert list(Escalation.objects.filter(case=acme_case).values_list("level", "channel")) == [
        ("M1", "web"),
        ("M2", "feedback_form"),
    ]


def test_feedback_without_escalation_is_recorded_and_a_manager_is_told(
    post, alice, acme_case, manager, mailoutbox, state_of
):
    before = state_of(acme_case)

    response = post(
        alice, "feedback/", {"case": acme_case.number, "message": "Erin was very helpful.", "escalate": False}
    )

    assert response.status_code == 201, response.json()
    feedback = Feedback.objects.get(case=acme_case)
    assert (feedback.author, feedback.message, feedback.escalate) == (alice, "Erin was very helpful.", False)
    assert not Escalation.objects.exists()
    assert Case.objects.get(pk=acme_case.pk).escalation_level == before["escalation_level"] == "none"
    [mail] = mailoutbox
    assert mail.to == ["max@vendor.example"]
    assert acme_case.number in mail.subject
    assert "Erin was very helpful." in mail.body


def test_empty_feedback_is_refused(post, alice, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    blank = post(alice, "feedback/", {"case": acme_case.number, "message": "  ", "escalate": True})
    missing = post(alice, "feedback/", {"case": acme_case.number, "escalate": False})

    assert (blank.status_code, missing.status_code) == (400, 400)
    assert "message" in blank.json()
    assert "message" in missing.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_an_outsider_cannot_send_feedback_on_someone_elses_case(post, oscar, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(oscar, "feedback/", {"case": acme_case.number, "message": "Hello?", "escalate": True})

    assert response.status_code == 404
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_staff_do_not_use_the_customer_feedback_form(post, engineer, manager, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(engineer, "feedback/", {"case": acme_case.number, "message": "Self-review.", "escalate": True})

    assert response.status_code == 403
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_feedback_on_an_unknown_case_is_not_found(post, alice):
    response = post(alice, "feedback/", {"case": "C-999999", "message": "Hello?", "escalate": False})

    assert response.status_code == 404
    assert not Feedback.objects.exists()
