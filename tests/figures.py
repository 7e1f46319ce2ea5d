"""Figures the security and reliability tests measure, printed in one block at the end.

A test asks for the ``figure`` fixture and records one line, for example
``figure("Cross-tenant matrix", f"{n} requests, 0 cross-tenant reads or writes")``;
pytest prints every recorded line under "Security and reliability figures" before its
closing line, so a CI log shows what was proved and how much of it.
"""

from __future__ import annotations

import pytest

_FIGURES: list[tuple[str, str, str]] = []


@pytest.fixture
def figure(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Record ``figure(title, text)`` for the summary block (one test may record several)."""

    def record(title: str, text: str) -> None:
        _FIGURES.append((title, text, request.node.nodeid))

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not _FIGURES:
        return
    terminalreporter.section("Security and reliability figures")
    width = max(len(title) for title, _, _ in _FIGURES)
    for title, text, _nodeid in _FIGURES:
        terminalreporter.write_line(f"{title.ljust(width)}  {text}")
