"""The translation catalogues are complete: every source string of the product is in
each of the four catalogues, translated, not fuzzy, with the same placeholders.

A string added to the code without running `makemessages` and translating it fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALES = {"ko": "ko", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru"}
SOURCES = [
    "accounts",
    "cases",
    "casetracker",
    "escalation",
    "inbound",
    "insights",
    "knowledge",
    "notifications",
    "sla",
    "templates",
]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / LOCALES[code] / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set[str]:
    """Extract the source strings afresh from a copy of the code, as makemessages does."""
    work = tmp_path_factory.mktemp("extract")
    for name in SOURCES:
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "manage.py", work / "manage.py")
    (work / "locale").mkdir()
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin", "CASETRACKER_DATA_DIR": str(work / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "-v", "0"],
        cwd=work,
        env=env,
        check=True,
    )
    extracted = polib.pofile(str(work / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    return {entry.msgid for entry in extracted if entry.msgid}


@pytest.mark.parametrize("code", LOCALES)
def test_every_source_string_is_in_the_catalogue(code, source_msgids):
    missing = source_msgids - {entry.msgid for entry in catalogue(code) if not entry.obsolete}
    assert not missing, (
        f"{len(missing)} source strings missing from {code}: run makemessages; e.g. {sorted(missing)[:5]}"
    )


@pytest.mark.parametrize("code", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(code):
    po = catalogue(code)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {code}, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {code}, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("code", LOCALES)
def test_translations_keep_their_placeholders(code):
    wrong = []
    for entry in catalogue(code).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        strings = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in strings:
            found = sorted(PLACEHOLDER.findall(text))
            # A plural form may leave out the count ("one case" for n=1), never add one.
            if not set(found) <= set(expected) or (not entry.msgid_plural and found != expected):
                wrong.append((entry.msgid, text))
    assert not wrong, f"{len(wrong)} translations change placeholders in {code}, e.g. {wrong[:3]}"


def test_russian_has_three_plural_forms():
    po = catalogue("ru")
    assert "nplurals=3" in po.metadata["Plural-Forms"]
    for entry in po:
        if entry.msgid_plural:
            assert len([v for v in entry.msgstr_plural.values() if v]) == 3, entry.msgid
