"""Reading one raw e-mail with the standard library's ``email`` package (policy default).

Bytes in, a :class:`ParsedMail` out. Whatever the sender's program did, the result is
clean text: every charset our customers use (and the supersets their mail programs
really write: GBK under a GB2312 label, CP949 under EUC-KR, Windows-1252 under
ISO-8859-1), RFC 2047 encoded words in headers and file names (also where RFC 2231
should have been used), raw 8-bit headers, HTML-only mails turned into text. The only
exception raised is :class:`MalformedMail`, for bytes that are not a mail at all.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import hashlib
import mimetypes
import quopri
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr

from .text import html_to_text

# Deeper MIME nesting than this is an attack, not a mail.
MAX_DEPTH = 30
# How much of an oversized mail is read to find its headers.
HEAD_BYTES = 256 * 1024

RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "resent-to")
_DISPLAYED_HEADERS = (
    "from", "sender", "reply-to", "to", "cc", "delivered-to", "x-original-to", "date", "subject",
    "message-id", "in-reply-to", "references", "return-path", "auto-submitted", "precedence", "list-id",
    "x-mailer", "user-agent",
)  # fmt: skip

# What mail programs really write under a charset label (by the codec the label names):
# GBK under "gb2312", CP949 under "euc-kr" / "ks_c_5601-1987", Windows-1252 under
# "iso-8859-1", UTF-8 under "us-ascii"...
_SUPERSETS = {
    "gb2312": ["gb18030"],
    "gbk": ["gb18030"],
    "euc_kr": ["cp949"],
    "big5": ["big5hkscs", "cp950"],
    "iso8859-1": ["cp1252"],
    "ascii": ["utf-8"],
    "iso2022_jp": ["iso2022_jp_ext", "iso2022_jp_2"],
    "shift_jis": ["cp932"],
    "euc_jp": ["euc_jis_2004"],
    "tis-620": ["cp874"],
    "iso8859-11": ["cp874"],
    "iso8859-9": ["cp1254"],
}
# Labels seen in the wild that Python does not know.
_LABEL_ALIASES = {"x-gbk": "gbk", "ks_c_5601": "euc_kr", "x-sjis": "shift_jis", "x-big5": "big5", "x-euc-jp": "euc_jp"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,998}>")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")


class MalformedMail(Exception):
    """The bytes cannot be read as an e-mail."""


@dataclass
class MailAttachment:
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    message_id: str = ""
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    date: str = ""
    recipients: list[str] = field(default_factory=list)
    # In-Reply-To first, then References from the newest back.
    references: list[str] = field(default_factory=list)
    # Every header, decoded, in order: (name, value).
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html_only: bool = False
    attachments: list[MailAttachment] = field(default_factory=list)
    attachment_count: int = 0
    content_type: str = ""
    report_type: str = ""
    # From a delivery-status report: (recipient, action, status, diagnostic).
    delivery_reports: list[tuple[str, str, str, str]] = field(default_factory=list)
    # The Message-ID of the mail a bounce returns, if it quotes it.
    bounced_message_id: str = ""
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """The first value of a header, decoded; "" when absent."""
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), "")

    def has_header(self, name: str) -> bool:
        name = name.lower()
        return any(key.lower() == name for key, _value in self.headers)

    def displayed_headers(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self.headers if key.lower() in _DISPLAYED_HEADERS]


# --- Text decoding --------------------------------------------------------------------


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip('"').lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes in the sender's charset to text; never fails, never leaves surrogates.

    Valid UTF-8 wins over the label (mail programs mislabel UTF-8 as Latin-1 more than
    anything; real legacy text is almost never valid UTF-8), except for the 7-bit
    ISO-2022 and UTF-7 encodings, whose bytes are all valid ASCII. Then the label's
    real-world superset, the label itself, and finally the label with replacement
    characters for a damaged sequence.
    """
    name = _codec_name(charset)
    seven_bit = bool(name) and (name.startswith("iso2022") or name in ("utf-7", "hz"))
    candidates: list[str] = [] if seven_bit else ["utf-8"]
    if name:
        candidates += [*_SUPERSETS.get(name, []), name]
    else:
        candidates += ["cp1252"]
    for candidate in candidates:
        try:
            return clean_text(data.decode(candidate))
        except (LookupError, UnicodeDecodeError):
            continue
    if name:
        return clean_text(data.decode((_SUPERSETS.get(name) or [name])[0], "replace"))
    return clean_text(data.decode("latin-1"))


def clean_text(text: str) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL), no lone surrogates."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL_CHARS.sub("", text)


def _from_surrogates(value: str, hint: str | None) -> str:
    """A raw header with 8-bit bytes (the parser keeps them as surrogates) to text."""
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"), hint)


def decode_words(value: str, hint: str | None = None) -> str:
    """Decode RFC 2047 encoded words; adjacent words are joined before decoding, so a
    character split across two of them (some mail programs do that) survives."""
    out: list[str] = []
    run: list[tuple[str, bytes]] = []
    position = 0

    def flush() -> None:
        if run:
            charset = run[0][0]
            out.append(decode_bytes(b"".join(data for _charset, data in run), charset))
            run.clear()

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between.strip() or not run:
            flush()
            out.append(between)
        charset, encoding, payload = match.groups()
        try:
            if encoding in "bB":
                data = base64.b64decode(payload + "=" * (-len(payload) % 4))
            else:
                data = quopri.decodestring(payload.encode("ascii", "replace"), header=True)
        except (binascii.Error, ValueError):
            flush()
            out.append(match.group(0))
            position = match.end()
            continue
        if run and run[0][0].lower() != charset.lower():
            flush()
        run.append((charset, data))
        position = match.end()
    flush()
    out.append(value[position:])
    return clean_text("".join(out))


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", " ")


def decode_header_value(raw: str, hint: str | None = None) -> str:
    return " ".join(decode_words(_from_surrogates(_unfold(raw), hint), hint).split())


# --- Headers --------------------------------------------------------------------------


def _raw_headers(message: Message) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in message.raw_items()]


def _raw_values(message: Message, name: str) -> list[str]:
    name = name.lower()
    return [value for key, value in _raw_headers(message) if key.lower() == name]


def _addresses(raw_values: list[str], hint: str | None) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs; nonsense is dropped."""
    pairs: list[tuple[str, str]] = []
    for raw in raw_values:
        text = _from_surrogates(_unfold(raw), hint)
        try:
            found = getaddresses([text])
        except Exception:
            found = [parseaddr(text)]
        for name, address in found:
            address = address.strip().strip("<>").lower()
            if "@" in address and " " not in address and len(address) <= 254:
                pairs.append((decode_header_value(name, hint), clean_text(address)))
    return pairs


def _message_ids(raw: str) -> list[str]:
    return _MESSAGE_ID.findall(_unfold(raw))


def normalize_message_id(raw: str) -> str:
    """The ``<id>`` of a Message-ID header, at most 255 characters (longer ones are
    hashed: they are kept only to recognise the same mail again)."""
    ids = _message_ids(raw)
    value = ids[0] if ids else " ".join(_unfold(raw).split())
    value = clean_text(value.encode("ascii", "surrogateescape").decode("ascii", "replace"))
    if len(value) > 255:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return value


def _read_headers(message: Message, mail: ParsedMail, hint: str | None) -> None:
    mail.headers = [(name, decode_header_value(value, hint)) for name, value in _raw_headers(message)]
    message_ids = _raw_values(message, "message-id")
    mail.message_id = normalize_message_id(message_ids[0]) if message_ids else ""
    senders = _addresses(_raw_values(message, "from"), hint)
    if senders:
        mail.sender_name, mail.sender = senders[0]
    mail.sender_name = mail.sender_name[:200]
    mail.subject = mail.header("subject")
    mail.date = mail.header("date")
    recipients: list[str] = []
    for name in RECIPIENT_HEADERS:
        recipients += [address for _name, address in _addresses(_raw_values(message, name), hint)]
    mail.recipients = list(dict.fromkeys(recipients))
    references = [ref for raw in _raw_values(message, "in-reply-to") for ref in _message_ids(raw)]
    older = [ref for raw in _raw_values(message, "references") for ref in _message_ids(raw)]
    mail.references = list(dict.fromkeys([*references, *reversed(older)]))[:100]
    try:
        mail.content_type = message.get_content_type()
        mail.report_type = (message.get_param("report-type") or "").lower() if mail.content_type else ""
    except Exception:
        mail.content_type = "text/plain"
    if not isinstance(mail.report_type, str):
        mail.report_type = ""


def _looks_like_mail(message: Message) -> bool:
    names = {name.lower() for name, _value in _raw_headers(message)}
    return bool(names & {"from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version"})


def _strip_envelope_line(raw: bytes) -> bytes:
    # An mbox "From sender date" line, as some MTAs hand it to a pipe.
    if raw.startswith(b"From "):
        return raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    return raw


def parse_headers(head: bytes) -> ParsedMail:
    """Only the headers (of an oversized mail, say): sender, subject, Message-ID."""
    try:
        message = BytesHeaderParser(policy=default_policy).parsebytes(_strip_envelope_line(head))
    except Exception as error:
        raise MalformedMail(str(error)) from error
    if not _looks_like_mail(message):
        raise MalformedMail("no mail headers")
    mail = ParsedMail()
    _read_headers(message, mail, None)
    return mail


# --- Body and attachments -------------------------------------------------------------


def _leaves(part: Message, parent: Message | None = None, depth: int = 0) -> Iterator[tuple[Message, Message | None]]:
    if depth > MAX_DEPTH:
        raise MalformedMail("MIME parts nested too deep")
    content_type = part.get_content_type()
    if part.is_multipart() and not content_type.startswith("message/"):
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                yield from _leaves(sub, part, depth + 1)
        return
    yield part, parent


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        return None
    return charset if isinstance(charset, str) else None


def _payload_bytes(part: Message) -> bytes:
    content_type = part.get_content_type()
    if content_type.startswith("message/"):
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            inner = payload[0]
            try:
                return inner.as_bytes(policy=default_policy.clone(linesep="\r\n"))
            except Exception:
                return bytes(inner.as_string(), "utf-8", "replace")
        if isinstance(payload, str):
            return payload.encode("ascii", "surrogateescape")
        return b""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""


def _part_text(part: Message) -> str:
    text = decode_bytes(_payload_bytes(part), _charset(part))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


_PARAM = re.compile(r'([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_SECTION = re.compile(r"^(?P<name>[^*]+)\*(?P<index>\d+)?(?P<encoded>\*)?$")


def _raw_param(part: Message, header: str, wanted: str, hint: str | None) -> str:
    """A header parameter decoded by hand from the raw header: RFC 2231 (with its
    charset and continuations) and RFC 2047 words inside quotes (Outlook, Gmail), in
    whatever charset they name; the library's own decoding loses GBK under a GB2312
    label and the like."""
    values = _raw_values(part, header)
    if not values:
        return ""
    text = _unfold(values[0])
    plain = ""
    sections: dict[int, tuple[bool, str]] = {}
    for match in _PARAM.finditer(text.partition(";")[2]):
        key, value = match.group(1).lower(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if key == wanted:
            plain = value
            continue
        section = _SECTION.match(key)
        if section and section.group("name") == wanted:
            # "name*=" is encoded; of the continuations "name*0*=", only the starred ones.
            encoded = bool(section.group("encoded")) or section.group("index") is None
            sections[int(section.group("index") or 0)] = (encoded, value)
    if sections:
        charset = None
        data = b""
        for index in sorted(sections):
            encoded, value = sections[index]
            if encoded:
                if index == min(sections) and value.count("'") >= 2:
                    charset, _language, value = value.split("'", 2)
                data += urllib.parse.unquote_to_bytes(value)
            else:
                data += value.encode("ascii", "surrogateescape")
        return decode_bytes(data, charset or hint)
    return decode_words(_from_surrogates(plain, hint), hint) if plain else ""


def _filename(part: Message, hint: str | None) -> str:
    try:
        name = _raw_param(part, "content-disposition", "filename", hint) or _raw_param(
            part, "content-type", "name", hint
        )
    except Exception:
        name = ""
    if not name:
        try:
            name = str(part.get_filename() or "")
        except Exception:
            name = ""
        name = decode_words(_from_surrogates(name, hint), hint)
    return " ".join(clean_text(name).split())


def _default_name(part: Message, number: int) -> str:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        return f"message-{number}.eml"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{number}{extension}"


def _is_body_text(part: Message, hint: str | None) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and _disposition(part) != "attachment"
        and not _filename(part, hint)
    )


def _read_delivery_status(part: Message, mail: ParsedMail) -> None:
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        recipient = ""
        for name in ("Final-Recipient", "Original-Recipient"):
            value = block.get(name)
            if value:
                recipient = str(value).split(";", 1)[-1].strip().strip("<>").lower()
                break
        if not recipient or "@" not in recipient:
            continue
        action = str(block.get("Action") or "").strip().lower()
        status = str(block.get("Status") or "").strip()
        diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())[:500]
        mail.delivery_reports.append((clean_text(recipient), action, clean_text(status), clean_text(diagnostic)))


def _read_returned_headers(part: Message, mail: ParsedMail) -> None:
    if mail.bounced_message_id:
        return
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        raw = _raw_values(inner, "message-id") if inner is not None else []
    else:  # text/rfc822-headers
        raw = re.findall(r"(?im)^message-id:\s*(.+)$", _part_text(part))
    if raw:
        mail.bounced_message_id = normalize_message_id(raw[0])


def parse_mail(raw: bytes, *, max_attachments: int | None = None) -> ParsedMail:
    """Headers, the text (HTML turned into text), and the attachments.

    With ``max_attachments``, a mail with more attachments than that is counted but its
    attachments are not decoded (it will be refused, and the work would be wasted).
    """
    try:
        message = email.message_from_bytes(_strip_envelope_line(raw), policy=default_policy)
    except Exception as error:  # the parser is lenient; what still breaks it is not a mail
        raise MalformedMail(f"unparseable: {error}") from error
    if not _looks_like_mail(message):
        raise MalformedMail("no mail headers")
    hint = _charset(message)
    mail = ParsedMail()
    try:
        _read_headers(message, mail, hint)
        _read_body(message, mail, hint, max_attachments)
    except MalformedMail:
        raise
    except RecursionError as error:
        raise MalformedMail("MIME parts nested too deep") from error
    except Exception as error:
        raise MalformedMail(f"{type(error).__name__}: {error}") from error
    mail.defects = [type(defect).__name__ for defect in message.defects][:20]
    return mail


def _read_body(message: Message, mail: ParsedMail, hint: str | None, max_attachments: int | None) -> None:
    try:
        body = message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except Exception:
        body = None
    leaves = list(_leaves(message))
    if body is None:
        # A single non-multipart part with no text type, or a broken structure: use the
        # first inline text leaf if there is one.
        body = next((part for part, _parent in leaves if _is_body_text(part, hint)), None)
    alternative_parent = None
    if body is not None:
        alternative_parent = next(
            (parent for part, parent in leaves if part is body and parent is not None),
            None,
        )
        if alternative_parent is not None and alternative_parent.get_content_type() != "multipart/alternative":
            alternative_parent = None
    texts: list[str] = []
    if body is not None:
        text = _part_text(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
            mail.html_only = True
        texts.append(text)
    candidates: list[Message] = []
    for part, parent in leaves:
        content_type = part.get_content_type()
        if part is body:
            continue
        if content_type == "message/delivery-status":
            _read_delivery_status(part, mail)
            continue
        if content_type in ("text/rfc822-headers", "message/rfc822") and mail.report_type:
            _read_returned_headers(part, mail)
        if content_type in ("message/disposition-notification", "text/rfc822-headers"):
            continue
        if _is_body_text(part, hint):
            if parent is not None and parent is alternative_parent:
                continue  # the other rendering of the body
            if content_type == "text/plain":
                texts.append(_part_text(part))
            continue
        if content_type.startswith("multipart/"):
            continue  # an empty multipart
        candidates.append(part)
    mail.text = "\n\n".join(text.strip("\n") for text in texts if text.strip())
    mail.attachment_count = len(candidates)
    if max_attachments is not None and len(candidates) > max_attachments:
        return
    for number, part in enumerate(candidates, start=1):
        mail.attachments.append(
            MailAttachment(
                name=_filename(part, hint) or _default_name(part, number),
                content_type=part.get_content_type()[:127],
                data=_payload_bytes(part),
            )
        )
