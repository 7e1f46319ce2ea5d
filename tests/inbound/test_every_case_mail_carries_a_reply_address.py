"""Every e-mail about a case says where to answer: ``support+<token>@domain``, a token
naming the case that cannot be guessed or forged and survives lower- and upper-casing;
and it threads on the case's own Message-ID."""

from __future__ import annotations

import re

from django.test import override_settings

from cases.services.mail import reply_address, reply_token, thread_message_id
from inbound.tokens import tokens_in_addresses, verify_token
from notifications.models import OutboxEmail
from tests.factories import CaseFactory

TOKEN = re.compile(r"^support\+c(\d+)-([a-z2-7]{32})@support\.example$")


def test_each_case_mail_names_its_case_in_the_reply_address_and_thread(waiting_case, engineer, alice):
    mails = OutboxEmail.objects.filter(case_number=waiting_case.number)
    assert mails.exists()

    for mail in mails:
        match = TOKEN.match(mail.reply_to)
        assert match, mail.reply_to
        assert int(match.group(1)) == waiting_case.pk
        assert mail.in_reply_to == thread_message_id(waiting_case)
        assert mail.message_id != mail.in_reply_to


def test_the_sent_mail_carries_reply_to_and_threading_headers(waiting_case, mailoutbox):
    [mail] = [message for message in mailoutbox if waiting_case.number in message.subject]

    assert mail.reply_to == [reply_address(waiting_case)]
    assert mail.extra_headers["In-Reply-To"] == thread_message_id(waiting_case)
    assert mail.extra_headers["References"] == thread_message_id(waiting_case)


def test_a_token_survives_lower_and_upper_casing(db):
    case = CaseFactory()
    address = reply_address(case)

    for variant in (address, address.lower(), address.upper()):
        [token] = tokens_in_addresses([variant.lower()])
        assert verify_token(token) == case.pk


def test_a_token_for_one_case_does_not_open_another(db):
    first, second = CaseFactory(), CaseFactory()
    token = reply_token(first.pk)
    mac = token.split("-", 1)[1]

    assert verify_token(token) == first.pk
    assert verify_token(f"c{second.pk}-{mac}") is None
    assert verify_token(f"c{first.pk}-{'a' * 32}") is None
    assert verify_token(f"c{first.pk}-{mac[:-1]}") is None
    assert verify_token("c1-") is None
    assert verify_token("") is None


def test_a_token_depends_on_the_secret_key_and_survives_its_rotation(db, settings):
    case = CaseFactory()
    old = reply_token(case.pk)
    old_key = settings.SECRET_KEY

    with override_settings(SECRET_KEY="a-new-secret-key-for-rotation-0123456789-abcdefghijklmnop"):
        assert reply_token(case.pk) != old
        assert verify_token(old) is None
        with override_settings(SECRET_KEY_FALLBACKS=[old_key]):
            assert verify_token(old) == case.pk


def test_the_reply_address_follows_the_support_address(db, settings):
    case = CaseFactory()
    settings.SUPPORT_EMAIL = "Help Desk <helpdesk@example.com>"

    assert re.fullmatch(rf"helpdesk\+c{case.pk}-[a-z2-7]{{32}}@example\.com", reply_address(case))
    assert thread_message_id(case).endswith("@example.com>")
