"""The IMAP poller: fetch what waits in the support mailbox, ingest it, move it away.

One mail at a time, oldest first, at most ``batch`` per run: each is fetched
(``BODY.PEEK[]``, so a failure leaves it unread), handed to :func:`ingest_stream`, and
moved to the processed folder (``MOVE``, or ``COPY`` + ``\\Deleted`` + ``EXPUNGE`` on
servers without it). Ingesting never fails on a bad mail (it is quarantined), so one bad
mail never blocks the inbox. Only a failure to *store* (the database is down) stops the
run, leaving that mail and the rest in place for the next one; a mail fetched twice
(the run died between storing and moving it) is recognised and just moved.

Large mails are fetched in slices into a spool file, never whole into memory.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
import tempfile
from dataclasses import dataclass, field

from django.conf import settings

from ..models import Source
from .ingest import ingest_stream

logger = logging.getLogger("inbound")

SLICE_BYTES = 4 * 1024 * 1024
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    user: str = ""
    password: str = ""
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    use_ssl: bool = True
    timeout: int = 60

    @classmethod
    def from_settings(cls) -> ImapSettings:
        return cls(
            host=settings.IMAP_HOST,
            port=settings.IMAP_PORT,
            user=settings.IMAP_USER,
            password=settings.IMAP_PASSWORD,
            folder=settings.IMAP_FOLDER,
            processed_folder=settings.IMAP_PROCESSED_FOLDER,
            use_ssl=settings.IMAP_SSL,
            timeout=settings.IMAP_TIMEOUT,
        )


@dataclass
class PollResult:
    fetched: int = 0
    moved: int = 0
    dispositions: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False


class ImapError(Exception):
    """The mailbox could not be reached or refused a command."""


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple[str, list], what: str) -> list:
    status, data = response
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what}: {status} {detail}")
    return data


def _connect(config: ImapSettings) -> imaplib.IMAP4:
    try:
        if config.use_ssl:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=ssl.create_default_context(), timeout=config.timeout
            )
        else:
            client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
    except (OSError, imaplib.IMAP4.error) as error:
        raise ImapError(f"cannot connect to {config.host}:{config.port}: {error}") from error
    try:
        _check(client.login(config.user, config.password), "LOGIN")
    except imaplib.IMAP4.error as error:
        client.shutdown()
        raise ImapError(f"login refused for {config.user}: {error}") from error
    return client


def _ensure_folder(client: imaplib.IMAP4, mailbox: str) -> None:
    status, _data = client.create(_quote(mailbox))
    if status != "OK":  # it exists already (servers word that differently)
        logger.debug("imap: CREATE %s answered %s", mailbox, status)
    client.subscribe(_quote(mailbox))


def _size_of(client: imaplib.IMAP4, uid: bytes) -> int:
    data = _check(client.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH RFC822.SIZE")
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes):
            match = _SIZE_RE.search(line)
            if match:
                return int(match.group(1))
    return 0


def _literal(data: list) -> bytes:
    return b"".join(item[1] for item in data if isinstance(item, tuple) and isinstance(item[1], bytes))


def _fetch_into(client: imaplib.IMAP4, uid: bytes, spool: tempfile.SpooledTemporaryFile) -> None:
    size = _size_of(client, uid)
    if size <= SLICE_BYTES:
        spool.write(_literal(_check(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")))
        return
    offset = 0
    while offset < size:
        piece = _literal(_check(client.uid("FETCH", uid, f"(BODY.PEEK[]<{offset}.{SLICE_BYTES}>)"), "FETCH slice"))
        if not piece:
            break
        spool.write(piece)
        offset += len(piece)


def _move(client: imaplib.IMAP4, uid: bytes, mailbox: str, can_move: bool) -> None:
    if can_move:
        _check(client.uid("MOVE", uid, _quote(mailbox)), "MOVE")
        return
    _check(client.uid("COPY", uid, _quote(mailbox)), "COPY")
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
    if "UIDPLUS" in client.capabilities:
        _check(client.uid("EXPUNGE", uid), "UID EXPUNGE")
    else:
        _check(client.expunge(), "EXPUNGE")


def poll_imap(*, config: ImapSettings | None = None, batch: int | None = None) -> PollResult:
    """Ingest up to ``batch`` waiting mails (default ``IMAP_BATCH``) and move them to
    the processed folder. Raises :class:`ImapError` when the mailbox cannot be used."""
    config = config or ImapSettings.from_settings()
    if not config.host:
        raise ImapError("IMAP_HOST is not set")
    batch = batch or settings.IMAP_BATCH
    result = PollResult()
    client = _connect(config)
    try:
        _ensure_folder(client, config.processed_folder)
        _check(client.select(_quote(config.folder)), f"SELECT {config.folder}")
        can_move = "MOVE" in client.capabilities
        uids = _check(client.uid("SEARCH", None, "UNDELETED"), "SEARCH")[0].split()
        for uid in uids[:batch]:
            with tempfile.SpooledTemporaryFile(max_size=SLICE_BYTES) as spool:
                _fetch_into(client, uid, spool)
                spool.seek(0)
                result.fetched += 1
                try:
                    inbound = ingest_stream(spool, source=Source.IMAP)
                except Exception:
                    # Not stored (the database is down): leave it, and the rest, for next time.
                    logger.exception("imap: mail uid %s could not be stored; stopping this run", uid.decode())
                    result.stopped_early = True
                    break
            key = inbound.disposition + (f":{inbound.reason}" if inbound.reason else "")
            result.dispositions[key] = result.dispositions.get(key, 0) + 1
            _move(client, uid, config.processed_folder, can_move)
            result.moved += 1
        client.close()
    except (imaplib.IMAP4.error, OSError) as error:
        raise ImapError(str(error)) from error
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.debug("imap: logout failed", exc_info=True)
    if result.fetched:
        logger.info(
            "imap: %s fetched, %s moved to %s: %s",
            result.fetched,
            result.moved,
            config.processed_folder,
            result.dispositions,
        )
    return result
