"""A mail to the support address from a known customer, about no case, opens a case in
their primary organization: incident, medium, channel e-mail, the usual confirmation."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from cases.models import Case, Channel, RequestType, Severity, Status
from inbound.models import Disposition
from notifications.models import OutboxEmail
from tests.factories import OrganizationFactory

NEW_CASES = [
    (
        "thunderbird_ja_iso2022jp_new_case.eml",
        "yuki",
        "ライセンスサーバーが起動しません",
        "サポートご担当者様\n\nライセンスサーバーが起動しません。\nエラーコードは E1042 です。",
        [],
    ),
    (
        "outlook_ko_euckr_new_case.eml",
        "minji",
        "라이선스 서버 오류",
        "라이선스 서버에서 오류가 발생합니다. 화면을 첨부합니다.",
        ["오류 화면.png"],
    ),
    (
        "thunderbird_zh_rfc2231_new_case.eml",
        "li.na",
        "许可证服务器无法启动",
        "许可证服务器从昨天开始无法启动，日志见附件。",
        ["日志.txt"],
    ),
    (
        "owa_fr_html_only_new_case.eml",
        "claire",
        "Serveur de licences : connexions refusées",
        "le serveur de licences refuse les connexions :\n\n- port 27000 fermé\n- service arrêté après 5 minutes",
        [],
    ),
    (
        "gmail_en_no_subject_new_case.eml",
        "alice",
        "(no subject)",
        "The license server stopped accepting connections this morning.",
        [],
    ),
]


@pytest.mark.parametrize(("name", "sender", "title", "text", "files"), NEW_CASES, ids=[row[0] for row in NEW_CASES])
def test_a_known_customer_opens_a_case_by_mail(
    name, sender, title, text, files, corpus, ingest, acme, alice, acme_people, mailoutbox
):
    requester = {**acme_people, "alice": alice}[sender]

    inbound = ingest(corpus(name))

    assert (inbound.disposition, inbound.reason) == (Disposition.NEW_CASE, "")
    case = inbound.case
    assert case.requester == requester
    assert case.organization == acme
    assert case.title == title
    assert text in case.description
    assert (case.severity, case.request_type, case.channel, case.status) == (
        Severity.MEDIUM,
        RequestType.INCIDENT,
        Channel.EMAIL,
        Status.NEW,
    )
    assert sorted(attachment.name for attachment in case.attachments.all()) == files
    confirmation = [mail for mail in mailoutbox if case.number in mail.subject]
    assert [mail.to for mail in confirmation] == [[requester.email]]


def test_an_html_only_mail_becomes_plain_text_without_its_script(corpus, ingest, acme_people):
    inbound = ingest(corpus("owa_fr_html_only_new_case.eml"))

    description = inbound.case.description
    assert "alert" not in description and "<" not in description and "javascript" not in description
    assert "Merci d'avance,\nClaire Dubois" in description
    assert "<script" not in inbound.case.description_html


def test_the_signature_is_left_out_of_the_description(corpus, ingest, acme_people):
    inbound = ingest(corpus("thunderbird_zh_rfc2231_new_case.eml"))

    assert "Acme 信息部" not in inbound.case.description
    assert "Sent from my iPhone" not in ingest(corpus("gmail_en_no_subject_new_case.eml")).case.description


def test_the_case_goes_to_the_primary_organization_of_a_customer_with_several(corpus, ingest, alice, acme):
    globex_too = OrganizationFactory(name="Initech", customer_number="INITECH-9")
    Membership.objects.create(user=alice, organization=globex_too, is_primary=False)
    alice.active_organization = globex_too
    alice.save()

    inbound = ingest(corpus("gmail_en_no_subject_new_case.eml"))

    assert inbound.case.organization == acme


def test_severity_and_type_can_be_changed_afterwards(corpus, ingest, api, alice):
    case = ingest(corpus("gmail_en_no_subject_new_case.eml")).case

    response = api(alice).post(
        f"/api/v1/cases/{case.number}/severity/",
        {"severity": "high", "reason": "Production is affected."},
        format="json",
    )

    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).severity == Severity.HIGH


def test_the_confirmation_carries_the_reply_address_of_the_new_case(corpus, ingest, alice):
    case = ingest(corpus("gmail_en_no_subject_new_case.eml")).case

    [confirmation] = OutboxEmail.objects.filter(case_number=case.number, template="case_logged")
    assert confirmation.reply_to.startswith(f"support+c{case.pk}-")
