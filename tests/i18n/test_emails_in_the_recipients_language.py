"""E-mails go out in the recipient's language, whoever triggered them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Role
from notifications.models import OutboxEmail
from tests.factories import CustomerFactory, StaffFactory


@pytest.fixture
def minji(acme):
    """A Korean-speaking customer of Acme."""
    return CustomerFactory(
        email="minji@acme.example", name="김민지", language="ko", timezone="Asia/Seoul", organization=acme
    )


def test_a_korean_customer_gets_a_korean_confirmation_and_the_engineer_an_english_notice(
    api, minji, engineer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(minji).post(
            "/api/v1/cases/",
            {
                "title": "서버 연결 실패",
                "description": "로그인이 안 됩니다.",
                "severity": "high",
                "request_type": "incident",
            },
            format="json",
        )
    assert response.status_code == 201
    number = response.json()["number"]
    confirmation = OutboxEmail.objects.get(to=minji.email, template="case_logged")
    assert confirmation.language == "ko"
    with translation.override("ko"):
        assert translation.gettext("Request type") in confirmation.body_text
    assert "Request type" not in confirmation.body_text
    assert number in confirmation.subject

    api(engineer).post(f"/api/v1/cases/{number}/assign/", {"assignee": engineer.pk}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api(minji).post(f"/api/v1/cases/{number}/messages/", {"body": "추가 정보입니다."}, format="json")
    notice = OutboxEmail.objects.get(to=engineer.email, template="customer_message")
    assert notice.language == "en"
    assert "The customer has written" in notice.subject


def test_a_french_manager_gets_the_escalation_in_french(api, alice, acme, director, django_capture_on_commit_callbacks):
    manager = StaffFactory(
        email="florence@vendor.example", name="Florence", role=Role.MANAGER, tier="", manager=director, language="fr"
    )
    engineer = StaffFactory(email="eve@vendor.example", role=Role.ENGINEER, manager=manager)
    case = (
        api(alice)
        .post(
            "/api/v1/cases/",
            {"title": "Slow", "description": "Very slow", "severity": "high", "request_type": "incident"},
            format="json",
        )
        .json()
    )
    api(engineer).post(f"/api/v1/cases/{case['number']}/assign/", {"assignee": engineer.pk}, format="json")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            f"/api/v1/cases/{case['number']}/escalations/", {"reason": "Trop lent"}, format="json"
        )
    assert response.status_code == 201
    sent = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(sent) == 1
    with translation.override("fr"):
        assert translation.gettext("Organization") in sent[0].body
    assert case["number"] in sent[0].subject and "M1" in sent[0].subject
    assert "Hello" not in sent[0].body
