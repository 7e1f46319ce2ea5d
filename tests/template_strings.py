"""Find visible words in templates that are not marked for translation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

NOISE = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
VISIBLE_ATTRIBUTE = re.compile(r"\b(?:aria-label|title|placeholder|alt)\s*=\s*\"([^\"]*)\"")


def unmarked_strings(paths: Iterable[Path], root: Path) -> list[str]:
    """Each "template: text" left once tags, template syntax and marked strings are removed."""
    unmarked: list[str] = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        attributes = VISIBLE_ATTRIBUTE.findall(source)
        for noise in NOISE:
            source = noise.sub(" ", source)
            attributes = [noise.sub(" ", value) for value in attributes]
        leftovers = re.sub(r"<[^>]*>", " ", source)
        for chunk in [*leftovers.split("\n"), *attributes]:
            if re.search(r"[^\W\d_]{2,}", chunk):
                unmarked.append(f"{path.relative_to(root)}: {chunk.strip()}")
    return unmarked
