"""Text-search pieces that do not touch the database: how a Korean or Chinese query
becomes a ``tsquery`` matching the two-character pieces that ``kb_search_vector``
(knowledge migration 0003, ``kb_cjk_split``) stores for those languages."""

from __future__ import annotations

import re

# Korean syllables, CJK unified ideographs and extension A: the same ranges as the SQL
# function kb_cjk_split (knowledge migration 0003).
CJK_RUN = re.compile("[가-힣㐀-䶿一-鿿]+")
_WORD = re.compile(r"\w+")
MAX_WORDS = 8


def cjk_pieces(run: str) -> list[str]:
    """Overlapping two-character pieces of a run ("连接失败" → 连接, 接失, 失败); a
    one-character run stays whole. The same cut as kb_cjk_split."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _quoted(lexeme: str) -> str:
    # Words are \w+ only: no quote or backslash can reach the tsquery text.
    return f"'{lexeme.lower()}'"


def cjk_tsquery(q: str) -> str | None:
    """A ``to_tsquery('simple', …)`` text for Korean and Chinese articles: every word of
    ``q`` must be found; a Korean or Chinese run inside a word is the phrase of its
    pieces, so it is found inside a longer run (a Korean particle glued to the noun, a
    Chinese sentence without spaces); a single character is a prefix. Operators and
    quotes are not syntax here: only letters and digits are kept. None when ``q`` has no
    word."""
    terms: list[str] = []
    for word in _WORD.findall(q)[:MAX_WORDS]:
        position = 0
        for run in CJK_RUN.finditer(word):
            before = word[position : run.start()]
            if before:
                terms.append(_quoted(before))
            pieces = cjk_pieces(run.group())
            if len(run.group()) == 1:
                terms.append(_quoted(pieces[0]) + ":*")
            else:
                terms.append("(" + " <-> ".join(_quoted(piece) for piece in pieces) + ")")
            position = run.end()
        if word[position:]:
            terms.append(_quoted(word[position:]))
    return " & ".join(terms) or None
