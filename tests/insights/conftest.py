"""Fixtures for the managers' figures: a hand-built history of cases in March 2025.

The clock stands at Thursday 2025-03-20 12:00 UTC; the period under study is the two
weeks from Monday 3 to Sunday 16 March (everybody here works in UTC).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from cases.models import Case, CaseEvent, Channel, EventKind, Severity, Status
from escalation.models import Escalation, Level
from tests.factories import CaseFactory

UTC = datetime.UTC
NOW = datetime.datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
FIRST_DAY = datetime.date(2025, 3, 3)
LAST_DAY = datetime.date(2025, 3, 16)
START = datetime.datetime(2025, 3, 3, tzinfo=UTC)
END = datetime.datetime(2025, 3, 17, tzinfo=UTC)
PERIOD = {"period": "custom", "date_from": "2025-03-03", "date_to": "2025-03-16"}


def at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in March 2025 (UTC)."""
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_case(acme, alice) -> Callable[..., Case]:  # type: ignore[no-untyped-def]
    """``make_case(created=…, closed=…, **fields)``: a case of Acme (by default) with the
    given history; ``closed`` closes it at that moment."""

    def build(*, created: datetime.datetime, closed: datetime.datetime | None = None, **fields: Any) -> Case:
        fields.setdefault("organization", acme)
        fields.setdefault("requester", alice)
        fields.setdefault("severity", Severity.MEDIUM)
        fields.setdefault("product", "Vault")
        if closed is not None:
            fields.setdefault("status", Status.CLOSED)
            fields.setdefault("close_reason", "confirmed")
        else:
            fields.setdefault("status", Status.OPEN)
        return CaseFactory(created_at=created, closed_at=closed, **fields)

    return build


@pytest.fixture
def change_tier(engineer) -> Callable[[Case, str], None]:  # type: ignore[no-untyped-def]
    """Record a tier change on a case's audit trail (as the service does)."""

    def record(case: Case, tier: str) -> None:
        CaseEvent.objects.create(
            case=case,
            actor=engineer,
            channel=Channel.WEB,
            kind=EventKind.TIER,
            before=case.tier,
            after=tier,
            public=False,
            created_at=case.created_at + datetime.timedelta(hours=1),
        )

    return record


@pytest.fixture
def escalate(engineer, manager, director) -> Callable[..., Escalation]:  # type: ignore[no-untyped-def]
    def create(case: Case, level: str, when: datetime.datetime) -> Escalation:
        return Escalation.objects.create(
            case=case,
            level=level,
            channel=Channel.WEB,
            requested_by=engineer,
            reason="Too slow",
            manager=manager if level == Level.M1 else director,
            created_at=when,
        )

    return create
