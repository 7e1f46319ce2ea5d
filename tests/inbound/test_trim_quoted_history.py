"""What a reply keeps: the new text, without the quoted history (in every quoting
style our customers' mail programs use) and without the signature."""

from __future__ import annotations

import pytest

from inbound.text import html_to_text, trim_reply

NEW = "The log is attached.\nIt fails since the upgrade."

STYLES = {
    "gmail en": "On Mon, Jan 5, 2026 at 10:00 AM Acme Support <support@support.example> wrote:\n\n> Please send the log.\n",
    "gmail en, wrapped attribution": "On Mon, Jan 5, 2026 at 10:00 AM Acme Support <\nsupport@support.example> wrote:\n> Please send the log.\n",
    "thunderbird en": "On 1/5/26 10:00, Acme Support wrote:\n> Please send the log.\n",
    "outlook original message": "-----Original Message-----\nFrom: Acme Support\nSent: Monday, January 5, 2026 10:00 AM\nTo: Alice\nSubject: [C-000001]\n\nPlease send the log.\n",
    "outlook header block": "________________________________\nFrom: Acme Support <support@support.example>\nSent: Monday, January 5, 2026 10:00 AM\nTo: Alice Acme\nSubject: RE: [C-000001]\n\nPlease send the log.\n",
    "outlook header block, no rule": "From: Acme Support <support@support.example>\nSent: Monday, January 5, 2026 10:00\nTo: Alice\n\nPlease send the log.\n",
    "french": "Le lun. 5 janv. 2026 à 10:00, Acme Support <support@support.example> a écrit :\n> Merci d'envoyer le journal.\n",
    "french outlook": "De : Acme Support <support@support.example>\nEnvoyé : lundi 5 janvier 2026 10:00\nÀ : Claire\nObjet : [C-000001]\n\nMerci.\n",
    "korean": "2026년 1월 5일 (월) 오전 10:00, Acme Support <support@support.example>님이 작성:\n> 로그를 보내 주세요.\n",
    "korean outlook": "-----원본 메시지-----\n보낸 사람: Acme Support\n보낸 날짜: 2026년 1월 5일 월요일 오전 10:00\n받는 사람: 김민지\n\n로그를 보내 주세요.\n",
    "chinese": "在 2026年1月5日 周一 10:00，Acme Support <support@support.example> 写道：\n> 请发送日志。\n",
    "chinese foxmail": '------------------ 原始邮件 ------------------\n发件人: "Acme Support"<support@support.example>;\n发送时间: 2026年1月5日(星期一) 上午10:00\n\n请发送日志。\n',
    "russian": "5 янв. 2026 г., в 10:00, Acme Support <support@support.example> пишет:\n> Пришлите журнал.\n",
    "russian mail.ru": "Понедельник, 5 января 2026, 10:00 +03:00 от Acme Support <support@support.example>:\n>Пришлите журнал.\n",
    "plain quote": "> Please send the log.\n> Thanks.\n",
    "forwarded": "---------- Forwarded message ---------\nFrom: Acme Support <support@support.example>\nDate: Mon, Jan 5, 2026\n\nPlease send the log.\n",
}


@pytest.mark.parametrize("style", STYLES, ids=list(STYLES))
def test_quoted_history_is_trimmed_in_every_style(style):
    assert trim_reply(f"{NEW}\n\n{STYLES[style]}") == NEW


SIGNATURES = {
    "rfc 3676": "-- \nAlice Acme\nAcme Inc.",
    "dashes without the space": "--\nAlice",
    "iphone": "Sent from my iPhone",
    "android outlook": "Get Outlook for Android",
    "ipad french": "Envoyé de mon iPad",
    "korean iphone": "iPhone에서 보냄",
    "korean galaxy": "Samsung Galaxy 스마트폰에서 보냈습니다.",
    "chinese iphone": "发自我的iPhone",
    "russian": "Отправлено с iPhone",
}


@pytest.mark.parametrize("signature", SIGNATURES, ids=list(SIGNATURES))
def test_the_signature_is_trimmed(signature):
    assert trim_reply(f"{NEW}\n\n{SIGNATURES[signature]}\n") == NEW


def test_bottom_posting_keeps_the_text_under_the_quote():
    text = "On 1/5/26 10:00, Acme Support wrote:\n> Please send the log.\n\nHere it is.\n\n-- \nIvan\n"

    assert trim_reply(text) == "Here it is."


def test_an_inline_answer_keeps_the_question_it_answers():
    text = "> Which version?\n7.2.1\n> Which OS?\nWindows Server 2022\n"

    assert trim_reply(text) == text.strip()


def test_words_that_look_like_a_quote_header_are_kept():
    text = "The installer wrote:\nerror 5\nOn the server the service wrote:\nport busy\nПрограмма пишет:\nошибка"

    assert trim_reply(text) == text


def test_sent_from_my_phone_in_the_middle_of_the_text_is_kept():
    text = "Sent from my iPhone\nis what the app adds.\nIt happened again today.\nTwice.\nThree times.\nFour."

    assert trim_reply(text) == text


def test_a_reply_that_only_quotes_trims_to_nothing():
    assert trim_reply("On Mon, Jan 5, 2026 at 10:00 AM Erin <e@x> wrote:\n> hi\n") == ""


def test_html_becomes_text_with_quotes_marked():
    html = (
        "<div>Here it is.<br><br>Thanks</div><div class=gmail_quote><div>On Mon, 5 Jan 2026 Erin &lt;e@x&gt; wrote:</div>"
        "<blockquote><p>Please send the log.</p></blockquote></div><style>p{}</style><script>evil()</script>"
    )

    text = html_to_text(html)

    assert "evil" not in text and "p{}" not in text
    assert "> Please send the log." in text
    assert trim_reply(text) == "Here it is.\n\nThanks"
