"""``manage.py ingest_email < message.eml``: exit 0 whenever the mail is stored, whatever
became of it; non-zero (75, "try again later" for the MTA) only when it could not be
stored; a 50 MB mail is stored and held without ever being held in memory."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from inbound.models import Disposition, InboundMessage, Reason, Source
from tests.inbound.mails import plain_mail, write_huge_mail

ROOT = Path(settings.BASE_DIR)


def test_it_says_where_the_mail_went_and_exits_0(alice, db):
    out = io.StringIO()

    call_command("ingest_email", stdin=io.BytesIO(plain_mail(sender=alice.email)), stdout=out)

    inbound = InboundMessage.objects.get()
    assert out.getvalue().strip() == f"inbound {inbound.pk}: new_case"
    assert inbound.source == Source.PIPE


def test_it_reads_a_file_as_well(alice, db, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(plain_mail(sender="stranger@nowhere.example"))

    call_command("ingest_email", "--file", str(path), stdout=io.StringIO())

    assert InboundMessage.objects.get().reason == Reason.UNKNOWN_SENDER


def test_a_text_standard_input_is_read_as_bytes(alice, db):
    stdin = io.TextIOWrapper(io.BytesIO(plain_mail(sender=alice.email, subject="Grüße")), encoding="utf-8")

    call_command("ingest_email", stdin=stdin, stdout=io.StringIO())

    assert InboundMessage.objects.get().case.title == "Grüße"


def test_it_exits_75_when_the_database_is_down(tmp_path):
    environment = {
        **os.environ,
        # Nothing listens on port 1 of the loopback: the connection is refused at once.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        "CASETRACKER_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    finished = subprocess.run(
        [sys.executable, "manage.py", "ingest_email"],
        input=plain_mail(),
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )

    assert finished.returncode == 75, finished.stderr.decode()
    assert b"could not be stored" in finished.stderr
    assert not list((tmp_path / "media").rglob("*.eml"))


def test_a_50_mb_mail_is_stored_whole_and_held_quickly_in_little_memory(alice, db, tmp_path, settings):
    assert settings.INBOUND_MAX_BYTES == 30 * 1024 * 1024
    path = tmp_path / "huge.eml"
    size = write_huge_mail(path, sender=alice.email, megabytes=50)
    assert size > 50 * 1024 * 1024

    tracemalloc.start()
    started = time.monotonic()
    with path.open("rb") as stdin:
        call_command("ingest_email", stdin=stdin, stdout=io.StringIO())
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    inbound = InboundMessage.objects.get()
    assert (inbound.disposition, inbound.reason) == (Disposition.QUARANTINE, Reason.TOO_LARGE)
    assert inbound.sender == alice.email
    assert inbound.subject == "The full dump"
    assert "over the limit" in inbound.detail
    assert inbound.size == size == inbound.raw.size
    assert not alice.requested_cases.exists()
    assert elapsed < 20
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"
