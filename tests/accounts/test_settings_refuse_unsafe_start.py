"""The settings refuse to start unsafely, and a production-like configuration passes Django's deploy checks.

Each start is a real process with a clean environment, as an operator would run it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

SETUP = [sys.executable, "-c", "import django; django.setup()"]


def run(command: list[str], tmp_path, **variables: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "casetracker.settings",
        "CASETRACKER_DATA_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    started = run(SETUP, tmp_path, DEBUG="0")

    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_unset(tmp_path):
    started = run(SETUP, tmp_path)

    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr


def test_it_starts_without_a_secret_key_in_debug_mode(tmp_path):
    started = run(SETUP, tmp_path, DEBUG="1")

    assert started.returncode == 0, started.stderr


def test_a_production_configuration_passes_the_deploy_checks(tmp_path):
    checked = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="support.example.com",
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
