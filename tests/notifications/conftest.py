"""Outbox tests: a real SMTP sink, a test-only ``ping`` e-mail, and a broker that is down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from notifications.models import OutboxEmail
from tests.notifications.ping_email import TEMPLATES_DIR, queue_ping
from tests.smtp_sink import smtp_sink

__all__ = ["smtp_sink"]

# Nothing listens on port 1 of the loopback: connecting is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _ping_templates(settings):  # type: ignore[no-untyped-def]
    """``emails/ping.*`` exist only for these tests."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [TEMPLATES_DIR, *engine["DIRS"]]}, *settings.TEMPLATES[1:]]


@pytest.fixture
def committed_ping(db, django_capture_on_commit_callbacks) -> Callable[..., OutboxEmail]:  # type: ignore[no-untyped-def]
    """``committed_ping(**overrides)``: queue a ping in a transaction that commits, and run what follows the commit."""

    def queue_and_commit(**overrides: Any) -> OutboxEmail:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            row = queue_ping(**overrides)
        row.refresh_from_db()
        return row

    return queue_and_commit


@pytest.fixture
def broker_down(monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Point the Celery app at a broker nobody answers for, with tasks really published."""
    from casetracker.celery import app

    # Celery reads these variables before its configuration (CI sets CELERY_BROKER_URL).
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    names = ["broker_url", "broker_connection_timeout", "task_always_eager"]
    saved_conf = {name: app.conf[name] for name in names}
    saved_pools = app._pool, app.amqp._producer_pool
    app.conf.update(broker_url=DEAD_BROKER, broker_connection_timeout=1, task_always_eager=False)
    # The connection pools were made for the old broker: start new ones for this test.
    app._pool, app.amqp._producer_pool = None, None
    yield DEAD_BROKER
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.update(saved_conf)
    app._pool, app.amqp._producer_pool = saved_pools
