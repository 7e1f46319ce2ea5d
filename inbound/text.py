"""The words of a mail: HTML turned into plain text, and a reply cut down to what is new.

Pure functions, no database. What a reply keeps:

- everything above the first *quote header* (or, when nothing is above it, the text
  below the quote: bottom-posting): "On … wrote:" (Gmail, Apple Mail,
  Thunderbird, in English, French, Korean, Chinese, Russian and a few more), Outlook's
  "-----Original Message-----" and its "From: … Sent: …" block (also under a line of
  underscores), "Forwarded message" separators;
- quoted lines (starting with ">") at the end of the text go; quoted lines between new
  lines stay (an inline answer needs its question);
- the signature goes: from a "-- " line (RFC 3676, also "--"), or a phone client's
  "Sent from my iPhone" line near the end.

When trimming leaves nothing (a reply that only quotes, or text written below the
quote), the caller keeps the full text: a message is never emptied by the trimmer.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# --- HTML to text ---------------------------------------------------------------------

# Blocks that stand apart with an empty line, and blocks that only start a new line.
_PARAGRAPH_TAGS = {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "table", "ul"}
_LINE_TAGS = {
    "address", "article", "aside", "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "header", "li", "main", "nav", "section", "tr",
}  # fmt: skip
_BLOCK_TAGS = _PARAGRAPH_TAGS | _LINE_TAGS
_SKIP_TAGS = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0

    def _break(self, *, paragraph: bool = False) -> None:
        """End the current line; ``paragraph`` also leaves one empty line (never two)."""
        text = "".join(self.current)
        if self.pre_depth == 0:
            text = " ".join(text.split())
        self.current = []
        prefix = "> " * self.quote_depth
        if text.strip():
            self.lines.append(prefix + text)
        if paragraph and self.lines and self.lines[-1].strip("> ") != "":
            self.lines.append(prefix.rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag == "br":
            # A second <br> in a row makes an empty line, as it shows in the browser.
            self._break(paragraph=not "".join(self.current).strip())
        elif tag in _BLOCK_TAGS:
            self._break(paragraph=tag in _PARAGRAPH_TAGS)
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.current.append(f"[{alt.strip()}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(self.skip_depth - 1, 0)
            return
        if self.skip_depth:
            return
        if tag in _BLOCK_TAGS:
            self._break(paragraph=tag in _PARAGRAPH_TAGS)
            if tag == "blockquote":
                self.quote_depth = max(self.quote_depth - 1, 0)
            elif tag == "pre":
                self.pre_depth = max(self.pre_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: no markup, no scripts or styles; quoted
    blocks (``<blockquote>``) come out as ``>`` lines, as a text mail would have them."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it still chokes on loses only markup
        return re.sub(r"<[^>]*>", " ", html)
    return parser.text()


# --- Reply trimming -------------------------------------------------------------------

_WROTE = [
    # English (Gmail, Apple Mail, Thunderbird, Outlook for Mac): "On <date>, <name> wrote:"
    r"^on\b.{0,400}\bwrote\s*:\s*$",
    # French: "Le <date>, <name> a écrit :"
    r"^le\b.{0,400}\ba\s+écrit\s*:\s*$",
    # German, Spanish, Italian, Portuguese, Dutch (customers' colleagues write them too)
    r"^am\b.{0,400}\bschrieb\b.{0,100}:\s*$",
    r"^el\b.{0,400}\bescribió\s*:\s*$",
    r"^il\b.{0,400}\bha\s+scritto\s*:\s*$",
    r"^em\b.{0,400}\bescreveu\s*:\s*$",
    r"^op\b.{0,400}\bschreef\b.{0,100}:\s*$",
    # Korean (Gmail, Naver, iOS): "2026년 1월 5일 (월) 오전 10:00, <name>님이 작성:"
    r"^.{0,400}님이\s*작성\s*[:：]?\s*$",
    # Chinese (Gmail, iOS, QQ): "在 <date>，<name> 写道：" / "<name> 於 <date> 寫道："
    r"^.{0,400}(写道|寫道)\s*[:：]\s*$",
    # Russian (Gmail, Thunderbird, Yandex, Mail.ru): "<date>, <name> пишет:" / "написал(а):"
    r"^.{0,400}(пишет|написал|написала|написал\(а\))\s*:\s*$",
    # Mail.ru, Yandex: "Понедельник, 5 января 2026, 10:00 +03:00 от <name> <addr>:"
    r"^.{0,200}\bот\b.{0,200}<[^<>@\s]+@[^<>\s]+>\s*:\s*$",
    # Japanese: "<date> <name> <addr>:" variants end with "書きました:"
    r"^.{0,400}(書きました|wrote)\s*[:：]\s*$",
]
_WROTE_RE = [re.compile(pattern, re.IGNORECASE) for pattern in _WROTE]
# An attribution names a time, a year, a date or an address.
_ATTRIBUTION_HINT = re.compile(r"@|\d{1,2}:\d{2}|\d{4}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")

_SEPARATORS = re.compile(
    r"^\s*(-{2,}|_{2,}|={2,})?\s*("
    r"original message|ursprüngliche nachricht|message d'origine|message d’origine|mensaje original|"
    r"messaggio originale|исходное сообщение|пересылаемое сообщение|원본 메시지|원본 메일|原始邮件|原始郵件|"
    r"forwarded message|message transféré|weitergeleitete nachricht|переадресованное сообщение|전달된 메시지|转发的邮件"
    r")\s*(-{2,}|_{2,}|={2,})?\s*$",
    re.IGNORECASE,
)
_UNDERSCORE_RULE = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(
    r"^\s*\*?(from|de|von|от|보낸\s*사람|发件人|寄件者|差出人|da|van)\s*\*?\s*[:：]", re.IGNORECASE
)
_HEADER_SENT = re.compile(
    r"^\s*\*?(sent|date|envoyé|gesendet|datum|отправлено|дата|보낸\s*날짜|날짜|发送时间|日期|寄件日期|送信日時|"
    r"inviato|enviado|verzonden|to|à|an|кому|받는\s*사람|收件人)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_SIGNATURE_RULE = re.compile(r"^--\s?$")
_PHONE_SIGNATURES = re.compile(
    r"^\s*("
    r"sent from my (iphone|ipad|ipod|android|samsung|galaxy|mobile|phone|blackberry|windows phone|huawei|xiaomi)[^\n]{0,60}|"
    r"sent from (mail|outlook) for (windows|ios|android)[^\n]{0,30}|"
    r"get outlook for (ios|android)[^\n]{0,30}|"
    r"sent from (yahoo mail|proton mail|gmail|outlook)[^\n]{0,60}|"
    r"sent from my [^\n]{1,40} (smartphone|phone|tablet)\.?|"
    r"sent via [^\n]{1,40} (mobile|app)\.?|"
    r"envoyé de mon (iphone|ipad|appareil|smartphone|mobile)[^\n]{0,60}|"
    r"envoyé depuis mon (iphone|ipad|appareil|smartphone|mobile)[^\n]{0,60}|"
    r"obtenir outlook pour (ios|android)[^\n]{0,30}|"
    r"von meinem (iphone|ipad|smartphone) gesendet[^\n]{0,30}|"
    r"отправлено (с|из|со) [^\n]{1,60}|"
    r"(iphone|ipad|android|갤럭시|galaxy)[^\n]{0,30}에서 보냄\.?|"
    r"[^\n]{0,40}에서 보냈습니다\.?|"
    r"(发自|來自|来自)我的\s*(iphone|ipad|手机|android|华为|小米)[^\n]{0,30}|"
    r"从我的\s*(iphone|ipad|手机)发送[^\n]{0,30}|"
    r"iphoneから送信|"
    r"sent from my [^\n]{1,30}"
    r")\s*$",
    re.IGNORECASE,
)
# A phone signature counts only this close to the end of what is left.
_PHONE_SIGNATURE_REACH = 4


def _is_quote_header(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if not line or line.startswith(">"):
        return False
    if _SEPARATORS.match(line):
        return True
    # Long attributions get wrapped: try the line alone, then joined with the next one or two.
    candidates = [line] if _ATTRIBUTION_HINT.search(line) else []
    # A long attribution gets wrapped: its first line already names the date or address.
    if _ATTRIBUTION_HINT.search(line) or re.match(r"^(on|le|am|el|il|em|op)\b", line, re.IGNORECASE):
        for extra in (1, 2):
            following = lines[index + extra] if index + extra < len(lines) else ""
            if not following.strip() or following.startswith(">"):
                break
            joined = " ".join(part.strip() for part in lines[index : index + extra + 1])
            if _ATTRIBUTION_HINT.search(joined):
                candidates.append(joined)
    if any(regex.match(candidate) for candidate in candidates for regex in _WROTE_RE):
        return True
    if _UNDERSCORE_RULE.match(line):
        following = [text for text in lines[index + 1 : index + 4] if text.strip()]
        return bool(following) and bool(_HEADER_FROM.match(following[0]))
    if _HEADER_FROM.match(line):
        # Outlook's header block: "From:" followed within a few lines by "Sent:"/"To:"/"Date:".
        window = lines[index + 1 : index + 5]
        return any(_HEADER_SENT.match(text) for text in window)
    return False


def _strip_trailing_quotes(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    return lines[:end]


def trim_signature(text: str) -> str:
    """Drop the signature: from a ``-- `` line, or a phone client's line near the end."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _SIGNATURE_RULE.match(line.rstrip("\r")):
            lines = lines[:index]
            break
    meaningful = [index for index, line in enumerate(lines) if line.strip()]
    for index in meaningful[-_PHONE_SIGNATURE_REACH:]:
        if _PHONE_SIGNATURES.match(lines[index]):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def trim_reply(text: str) -> str:
    """What the sender wrote in this reply: quoted history and signature removed.

    Returns "" when nothing new is left; the caller decides what to keep then.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index in range(len(lines)):
        if _is_quote_header(lines, index):
            above = _strip_trailing_quotes(lines[:index])
            if any(line.strip() for line in above):
                lines = above
            else:
                # Bottom-posting (Thunderbird's default): the attribution and the quote
                # come first, the new text below them.
                lines = _after_quote(lines[index + 1 :])
            break
    lines = _strip_trailing_quotes(lines)
    return trim_signature("\n".join(lines)).strip()


def _after_quote(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith(">")):
        start += 1
    rest = lines[start:]
    # Anything further down that is history again (a second quote header) goes too.
    for index in range(len(rest)):
        if _is_quote_header(rest, index):
            return rest[:index]
    return rest
