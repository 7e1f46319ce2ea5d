"""The feedback form: a word to support management about a case, escalating it one
management level when asked (past the web tracker's one escalation)."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Channel, EscalationLevel
from escalation import services
from escalation.models import Escalation, Feedback, Level


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def feedback_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("escalation:feedback", args=[case.number])


def test_the_feedback_page_asks_for_a_message_and_offers_to_escalate(browser_for, alice, acme_case):
    response = browser_for(alice).get(feedback_url(acme_case))

    assert response.status_code == 200
    body = text(response)
    assert 'name="message"' in body
    assert 'type="checkbox" name="escalate"' in body
    assert "Escalate this case to support management" in body


def test_feedback_without_escalation_is_sent_to_management(browser_for, alice, acme_case, state_of):
    client = browser_for(alice)

    response = client.post(feedback_url(acme_case), {"message": "The engineer was very helpful."})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[acme_case.number])
    feedback = Feedback.objects.get(case=acme_case)
    assert (feedback.author, feedback.message, feedback.escalate) == (alice, "The engineer was very helpful.", False)
    assert Escalation.objects.filter(case=acme_case).count() == 0
    assert "Thank you: your feedback has been sent to support management." in text(client.get(response["Location"]))


def test_feedback_with_escalate_steps_the_level_beyond_m1(browser_for, alice, acme_case, director):
    services.escalate_case(case=acme_case, actor=alice, reason="First.", channel=Channel.WEB)
    client = browser_for(alice)

    response = client.post(feedback_url(acme_case), {"message": "Still not solved after a week.", "escalate": "on"})

    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert acme_case.escalation_level == EscalationLevel.M2
    escalation = Escalation.objects.get(case=acme_case, level=Level.M2)
    assert (escalation.channel, escalation.manager) == (Channel.FEEDBACK_FORM, director)
    assert Feedback.objects.get(case=acme_case).escalation == escalation
    assert "the case has been escalated to M2" in text(client.get(response["Location"]))


def test_an_empty_message_is_refused_beside_the_field(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(feedback_url(acme_case), {"message": " ", "escalate": "on"})

    assert response.status_code == 400
    assert '<ul class="field-error" id="id_message_error">' in text(response)
    assert state_of(acme_case) == before


def test_escalating_a_closed_case_says_to_reopen_it(browser_for, alice, make_case):
    case = make_case(status="closed")

    response = browser_for(alice).post(feedback_url(case), {"message": "Please look again.", "escalate": "on"})

    assert response.status_code == 409
    assert "This case is closed. Reopen it before escalating it." in text(response)
    assert Feedback.objects.count() == 0


def test_staff_do_not_send_feedback(browser_for, engineer, acme_case):
    assert browser_for(engineer).get(feedback_url(acme_case)).status_code == 403


def test_a_post_with_nothing_in_it_is_answered_beside_the_field(browser_for, alice, acme_case):
    response = browser_for(alice).post(feedback_url(acme_case), {})

    assert response.status_code == 400
    assert '<ul class="field-error" id="id_message_error">' in text(response)
