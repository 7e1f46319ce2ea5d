"""`GET /healthz`: 200 when the database and the broker answer, 503 naming what is down."""

from __future__ import annotations

import time

import pytest

from casetracker.celery import app as celery_app

# Nothing listens on port 1: the connection is refused at once, as when Redis is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch):  # type: ignore[no-untyped-def]
    """Point the Celery app at a broker nobody answers on, for this test only."""
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
    previous = celery_app.conf["broker_url"]
    celery_app.conf["broker_url"] = UNREACHABLE_BROKER
    yield
    celery_app.conf["broker_url"] = previous


def test_it_answers_ok_when_everything_is_up(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_names_the_broker_when_the_broker_is_down(client, db, broker_down):
    # Given a broker that refuses connections
    started = time.monotonic()

    # When the load balancer asks for health
    response = client.get("/healthz")

    # Then it answers 503 naming the broker, and answers quickly
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}
    assert time.monotonic() - started < 5


def test_it_needs_no_login_and_no_https(client, db, settings):
    # Given production settings that redirect plain HTTP to HTTPS
    settings.SECURE_SSL_REDIRECT = True

    # Then the load balancer's plain-HTTP probe still gets an answer
    assert client.get("/healthz").status_code == 200
