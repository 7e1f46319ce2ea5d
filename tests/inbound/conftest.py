"""Fixtures for the inbound-mail tests.

Beyond Alice (Acme) and Oscar (Globex, the outsider): Acme colleagues who write in the
other UI languages and charsets, a case of Acme waiting for Alice after the engineer
asked for the log file (so our e-mail, its Message-ID and the reply address exist), the
corpus of real-shaped mails in ``corpus/``, and ``ingest(raw)``, which feeds a mail to
``manage.py ingest_email`` exactly as the MTA pipe does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from cases import services as case_services
from cases.models import Case
from cases.services.mail import reply_address, thread_message_id
from inbound.models import InboundMessage
from notifications.models import OutboxEmail
from tests.factories import CaseFactory, CustomerFactory
from tests.smtp_sink import smtp_sink

__all__ = ["smtp_sink"]

CORPUS = Path(__file__).parent / "corpus"
SUPPORT = "support@support.example"


@pytest.fixture(autouse=True)
def _support_address(settings):  # type: ignore[no-untyped-def]
    settings.SUPPORT_EMAIL = SUPPORT
    settings.DEFAULT_FROM_EMAIL = SUPPORT
    settings.SERVER_EMAIL = SUPPORT
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme_people(acme):  # type: ignore[no-untyped-def]
    """Alice's colleagues at Acme, each writing from their own mail program."""
    people = {
        "minji": ("minji@acme.example", "김민지", "ko"),
        "li": ("li@acme.example", "王喆", "zh-hans"),
        "li.na": ("li.na@acme.example", "李娜", "zh-hans"),
        "chen": ("chen@acme.example", "陳怡君", "zh-hans"),
        "claire": ("claire@acme.example", "Claire Dubois", "fr"),
        "ivan": ("ivan@acme.example", "Иван Петров", "ru"),
        "yuki": ("yuki@acme.example", "佐藤 由紀", "en"),
    }
    return {
        key: CustomerFactory(email=email, name=name, language=language, organization=acme)
        for key, (email, name, language) in people.items()
    }


@pytest.fixture
def waiting_case(acme, alice, engineer, django_capture_on_commit_callbacks) -> Case:  # type: ignore[no-untyped-def]
    """Acme's case, assigned to Erin, who asked Alice for the log file: waiting on her."""
    case = CaseFactory(
        organization=acme, requester=alice, assignee=engineer, title="License server refuses connections"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_services.request_info(case=case, actor=engineer, body="Please send us the log file of the license server.")
    case.refresh_from_db()
    return case


@pytest.fixture
def our_mail(waiting_case) -> OutboxEmail:  # type: ignore[no-untyped-def]
    """The e-mail that asked Alice for the log file."""
    return OutboxEmail.objects.get(case_number=waiting_case.number, template="info_requested")


@pytest.fixture
def corpus(waiting_case, our_mail) -> Callable[..., bytes]:  # type: ignore[no-untyped-def]
    """``corpus(name)``: the corpus mail, its placeholders filled in for the waiting case."""

    def load(name: str, case: Case | None = None) -> bytes:
        case = case or waiting_case
        address = reply_address(case)
        token = address.partition("+")[2].partition("@")[0]
        forged = address.replace(token, token.split("-")[0] + "-" + "a" * 32)
        values = {
            "REPLY_TO": address,
            "REPLY_TO_UPPER": address.upper(),
            "FORGED_REPLY_TO": forged,
            "THREAD_ID": thread_message_id(case).strip("<>"),
            "OUR_MESSAGE_ID": our_mail.message_id.strip("<>"),
        }
        raw = (CORPUS / name).read_bytes()
        return re.sub(rb"\{\{([A-Z_]+)\}\}", lambda match: values[match.group(1).decode()].encode(), raw)

    return load


@pytest.fixture
def ingest(django_capture_on_commit_callbacks) -> Callable[[bytes], InboundMessage]:  # type: ignore[no-untyped-def]
    """``ingest(raw)``: ``manage.py ingest_email`` with the mail on standard input; what
    follows the commit (the e-mails it causes) runs too. Returns the stored mail."""

    def run(raw: bytes) -> InboundMessage:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("ingest_email", stdin=io.BytesIO(raw), stdout=out)
        match = re.match(r"inbound (\d+): ", out.getvalue())
        assert match, out.getvalue()
        return InboundMessage.objects.get(pk=int(match.group(1)))

    return run
