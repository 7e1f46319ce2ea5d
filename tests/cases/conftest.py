"""Fixtures for the case tests (the named people come from tests/conftest.py).

Beyond Acme's Alice, Globex's Oscar and the staff, the case tests need: a second
organization Alice also belongs to (Initech), a partner and one of its customers, and
cases of Acme in a given state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from cases import services
from cases.models import Case, Channel
from tests.factories import CaseFactory, CustomerFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Every named person gets a password; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def initech(alice):  # type: ignore[no-untyped-def]
    """A second organization Alice belongs to (not her primary one)."""
    organization = OrganizationFactory(name="Initech", customer_number="INITECH-1")
    Membership.objects.create(user=alice, organization=organization, is_primary=False)
    return organization


@pytest.fixture
def partner(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="Partner Systems", customer_number="PARTNER-7")


@pytest.fixture
def pat(partner):  # type: ignore[no-untyped-def]
    """A customer of Umbrella, an organization served through a partner."""
    umbrella = OrganizationFactory(name="Umbrella", customer_number="UMB-1", partner=partner)
    return CustomerFactory(email="pat@umbrella.example", name="Pat Partnered", organization=umbrella)


@pytest.fixture
def case_input() -> Callable[..., dict[str, Any]]:
    """``case_input(**overrides)``: a valid body for POST /api/v1/cases/."""

    def build(**overrides: Any) -> dict[str, Any]:
        return {
            "title": "Backups fail every night",
            "description": "Since the upgrade to 7.2 the nightly backup stops at 40%.",
            "severity": "high",
            "request_type": "incident",
            "product": "Vault",
            "version": "7.2",
            **overrides,
        }

    return build


@pytest.fixture
def make_case(acme, alice) -> Callable[..., Case]:  # type: ignore[no-untyped-def]
    """``make_case(**fields)``: a case of Acme requested by Alice (no events, no mail)."""

    def build(**fields: Any) -> Case:
        return CaseFactory(**{"organization": acme, "requester": alice, **fields})

    return build


@pytest.fixture
def acme_case(make_case) -> Case:  # type: ignore[no-untyped-def]
    """An open case of Acme, requested by Alice."""
    return make_case(title="Acme database is slow", status="open")


@pytest.fixture
def upload() -> Callable[..., SimpleUploadedFile]:
    """``upload(name, content, content_type)``: a file as a browser would send it."""

    def build(
        name: str = "log.txt", content: bytes = b"line 1\nline 2\n", content_type: str = "text/plain"
    ) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type=content_type)

    return build


@pytest.fixture
def public_attachment(acme_case, engineer, upload):  # type: ignore[no-untyped-def]
    """A text file the engineer attached to a public reply on Acme's case."""
    message = services.add_message(
        case=acme_case,
        author=engineer,
        body="Here is the patched configuration.",
        channel=Channel.API,
        files=[upload("settings.conf", b"max_connections = 200\n")],
        notify=False,
    )
    return message.attachments.get()


@pytest.fixture
def internal_attachment(acme_case, engineer, upload):  # type: ignore[no-untyped-def]
    """A file on an internal note: staff only."""
    message = services.add_message(
        case=acme_case,
        author=engineer,
        body="Customer's DB dump, do not share.",
        internal=True,
        channel=Channel.API,
        files=[upload("dump.txt", b"secret rows\n")],
    )
    return message.attachments.get()
