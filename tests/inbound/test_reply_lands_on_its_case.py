"""A customer's reply by e-mail, from every mail program and language we see, becomes
one customer message on its case: trimmed of quoted history and signature, with its
attachments, the case back to open and the engineer told."""

from __future__ import annotations

import pytest

from cases.models import Channel, Message, Status
from inbound.models import Disposition
from notifications.models import OutboxEmail

REPLIES = [
    (
        "outlook_en_reply.eml",
        "alice",
        "Hi Erin,\n\nThe log is attached. The error started after the 7.2 upgrade.\n\nBest regards,\nAlice",
        ["server log.txt"],
    ),
    (
        "gmail_ko_reply.eml",
        "minji",
        "안녕하세요,\n\n요청하신 로그 파일을 첨부합니다.\n재시작 후에도 같은 오류가 납니다.\n\n감사합니다.\n김민지",
        ["서버 로그.txt"],
    ),
    (
        "apple_mail_fr_reply.eml",
        "claire",
        "Bonjour,\n\nVoilà le fichier journal demandé. L'erreur réapparaît à chaque démarrage.\n\nCordialement,\nClaire",
        [],
    ),
    (
        "thunderbird_ru_koi8r_reply.eml",
        "ivan",
        "Здравствуйте!\n\nЖурнал во вложении. Ошибка повторяется после перезагрузки.",
        ["license.log"],
    ),
    ("foxmail_zh_gbk_reply.eml", "li", "您好：\n\n日志文件已附上，请查收。服务器重启后问题依旧。\n\n王喆", []),
    ("iphone_zh_reply.eml", "li.na", "已经按照步骤重启了许可证服务，现在可以正常使用了。", []),
    ("android_ru_cp1251_reply.eml", "ivan", "Добрый день!\nПерезапуск не помог, служба падает через минуту.", []),
    ("outlook_mac_big5_reply.eml", "chen", "您好，\n\n附件是日誌檔案。\n\n謝謝\n陳怡君", []),
    (
        "outlook_winmail_dat_reply.eml",
        "alice",
        "Here is the configuration you asked for (Outlook sent it in rich text).",
        ["winmail.dat"],
    ),
]


@pytest.mark.parametrize(("name", "author", "body", "files"), REPLIES, ids=[row[0] for row in REPLIES])
def test_a_reply_becomes_one_customer_message_on_its_case(
    name, author, body, files, corpus, ingest, waiting_case, acme_people, alice, engineer
):
    people = {**acme_people, "alice": alice}
    before = waiting_case.messages.count()

    inbound = ingest(corpus(name))

    assert (inbound.disposition, inbound.reason) == (Disposition.REPLY, "")
    assert waiting_case.messages.count() == before + 1
    message = Message.objects.get(pk=inbound.case_message_id)
    assert message.case == waiting_case
    assert message.author == people[author]
    assert message.channel == Channel.EMAIL
    assert message.internal is False
    assert message.body == body
    assert [attachment.name for attachment in message.attachments.order_by("id")] == files
    assert all(attachment.size > 0 for attachment in message.attachments.all())


def test_the_reply_puts_the_waiting_case_back_to_open_and_tells_the_engineer(corpus, ingest, waiting_case, engineer):
    assert waiting_case.status == Status.WAITING_ON_CUSTOMER
    assert waiting_case.auto_close_at is not None

    ingest(corpus("outlook_en_reply.eml"))

    waiting_case.refresh_from_db()
    assert waiting_case.status == Status.OPEN
    assert waiting_case.auto_close_at is None
    [notice] = OutboxEmail.objects.filter(to=engineer.email, template="customer_message")
    assert notice.case_number == waiting_case.number
    assert "The log is attached" in notice.body_text


def test_the_reply_is_not_answered_to_its_sender(corpus, ingest, waiting_case, alice):
    sent_before = OutboxEmail.objects.filter(to=alice.email).count()

    ingest(corpus("outlook_en_reply.eml"))

    assert OutboxEmail.objects.filter(to=alice.email).count() == sent_before


def test_an_attachment_name_cannot_climb_out_of_the_storage(corpus, ingest, waiting_case, settings):
    inbound = ingest(corpus("traversal_attachment_reply.eml"))

    assert inbound.disposition == Disposition.REPLY
    names = sorted(attachment.name for attachment in inbound.case_message.attachments.all())
    assert names == ["boot.ini", "passwd"]
    media = settings.MEDIA_ROOT.resolve()
    for attachment in inbound.case_message.attachments.all():
        assert media in (media / attachment.file.name).resolve().parents


def test_a_server_that_upper_cases_the_reply_address_still_reaches_the_case(corpus, ingest, waiting_case, acme_people):
    raw = corpus("gmail_ko_reply.eml")
    assert b"SUPPORT+C" in raw

    inbound = ingest(raw)

    assert inbound.case == waiting_case
    assert inbound.disposition == Disposition.REPLY


def test_a_reply_to_the_bare_support_address_lands_by_its_references(corpus, ingest, waiting_case, acme_people):
    raw = corpus("foxmail_zh_gbk_reply.eml")
    assert b"support+" not in raw.lower()

    inbound = ingest(raw)

    assert (inbound.disposition, inbound.case) == (Disposition.REPLY, waiting_case)


def test_the_full_original_is_kept_and_viewable_by_staff(corpus, ingest, api, engineer, waiting_case):
    inbound = ingest(corpus("outlook_en_reply.eml"))

    response = api(engineer).get(f"/api/v1/mail/inbound/{inbound.pk}/")

    assert response.status_code == 200
    original = response.json()
    assert "Please send us the log file of the license server." in original["text"]
    assert original["case"] == waiting_case.number
    assert original["message"] == inbound.case_message_id
    raw = api(engineer).get(original["original_url"])
    assert raw.status_code == 200
    assert raw["Content-Type"] == "message/rfc822"
    assert b"".join(raw.streaming_content) == corpus("outlook_en_reply.eml")
