"""Named people for every test: a customer of Acme, an outsider at Globex, and staff.

Tests marked ``postgres`` need PostgreSQL; on SQLite they are skipped, and in CI
(``CASETRACKER_FORBID_SKIPS=1``) any skipped test fails the run.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Membership, Plan, Role, Tier
from tests.factories import PASSWORD, CustomerFactory, OrganizationFactory, StaffFactory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if os.environ.get("CASETRACKER_FORBID_SKIPS") == "1" and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(
            f"FAILED: {len(terminalreporter.stats['skipped'])} test(s) skipped; CI allows none.", red=True
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CASETRACKER_FORBID_SKIPS") == "1" and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _media_and_email(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing with the production hasher costs ~0.3 s per user; tests prove behaviour, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from casetracker.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def acme(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(
        name="Acme",
        customer_number="ACME-1",
        plan=Plan.ENTERPRISE,
        production=True,
        country="US",
        timezone="America/New_York",
    )


@pytest.fixture
def globex(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="Globex", customer_number="GLOBEX-1", country="FR", timezone="Europe/Paris")


@pytest.fixture
def alice(acme):  # type: ignore[no-untyped-def]
    """A customer of Acme."""
    return CustomerFactory(email="alice@acme.example", name="Alice Acme", organization=acme)


@pytest.fixture
def oscar(globex):  # type: ignore[no-untyped-def]
    """The outsider: a customer of Globex who must learn nothing about Acme."""
    return CustomerFactory(email="oscar@globex.example", name="Oscar Outsider", organization=globex)


@pytest.fixture
def director(db):  # type: ignore[no-untyped-def]
    return StaffFactory(email="dora@vendor.example", name="Dora Director", role=Role.DIRECTOR, tier="")


@pytest.fixture
def manager(director):  # type: ignore[no-untyped-def]
    return StaffFactory(email="max@vendor.example", name="Max Manager", role=Role.MANAGER, tier="", manager=director)


@pytest.fixture
def engineer(manager):  # type: ignore[no-untyped-def]
    return StaffFactory(
        email="erin@vendor.example", name="Erin Engineer", role=Role.ENGINEER, tier=Tier.L1, manager=manager
    )


@pytest.fixture
def operator(db):  # type: ignore[no-untyped-def]
    return StaffFactory(email="olga@vendor.example", name="Olga Operator", role=Role.OPERATOR, tier="")


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return StaffFactory(email="ada@vendor.example", name="Ada Admin", role=Role.ADMIN, tier="", is_staff=True)


def api_client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    """``api(user)`` gives an APIClient authenticated as that user (None: anonymous)."""
    return api_client_for


@pytest.fixture
def browser_for(client):  # type: ignore[no-untyped-def]
    """``browser_for(user)`` logs the Django test client in as that user."""

    def login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return login


__all__ = ["PASSWORD", "Membership"]
