"""Mails built in the tests (the hand-written ones are in corpus/)."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

SUPPORT = "support@support.example"


def plain_mail(
    *,
    sender: str = "alice@acme.example",
    to: str = SUPPORT,
    subject: str = "Question about the license server",
    body: str = "The license server refuses connections since this morning.",
    message_id: str | None = "<plain-1@acme.example>",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "Date: Tue, 6 Jan 2026 09:00:00 +0000"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\n".join(lines).encode()


def with_attachments(mail: bytes, *, count: int, size: int = 64) -> bytes:
    """The mail's text, then ``count`` small attachments."""
    head, _, body = mail.partition(b"\n\n")
    head = b"\n".join(line for line in head.split(b"\n") if not line.lower().startswith(b"content-type"))
    parts = [head + b'\nContent-Type: multipart/mixed; boundary="att"\n\n--att\nContent-Type: text/plain\n\n' + body]
    payload = "\n".join(textwrap.wrap(base64.b64encode(b"x" * size).decode(), 76)).encode()
    for number in range(1, count + 1):
        parts.append(
            f'--att\nContent-Type: text/plain; name="file-{number}.txt"\n'
            f'Content-Disposition: attachment; filename="file-{number}.txt"\n'
            "Content-Transfer-Encoding: base64\n\n".encode()
            + payload
            + b"\n"
        )
    parts.append(b"--att--\n")
    return b"".join(parts)


def write_huge_mail(path: Path, *, sender: str, megabytes: int) -> int:
    """A mail of ``megabytes`` MB written straight to ``path`` (never held in memory)."""
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
    head = (
        f"From: {sender}\nTo: {SUPPORT}\nSubject: The full dump\nMessage-ID: <huge-1@acme.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="h"\n\n--h\nContent-Type: text/plain\n\n'
        'Here is the memory dump.\n--h\nContent-Type: application/octet-stream; name="dump.bin"\n'
        'Content-Disposition: attachment; filename="dump.bin"\nContent-Transfer-Encoding: base64\n\n'
    ).encode()
    with path.open("wb") as handle:
        handle.write(head)
        block = line * 13_798  # 1 MiB and a little more
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"--h--\n")
    return path.stat().st_size
