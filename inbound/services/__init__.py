"""Every write about inbound mail: taking a mail in, the IMAP poller, bounces, and the
operators' quarantine actions."""

from .bounces import record_bounce
from .imap import ImapError, ImapSettings, PollResult, poll_imap
from .ingest import ingest_raw_message, ingest_stream
from .posting import open_case_from_mail, post_mail_on_case
from .quarantine import attach_mail_to_case, discard_mail, open_case_from_held_mail

__all__ = [
    "ImapError",
    "ImapSettings",
    "PollResult",
    "attach_mail_to_case",
    "discard_mail",
    "ingest_raw_message",
    "ingest_stream",
    "open_case_from_held_mail",
    "open_case_from_mail",
    "poll_imap",
    "post_mail_on_case",
    "record_bounce",
]
