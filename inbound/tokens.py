"""Reading reply tokens back: ``<local>+c<case id>-<mac>@<domain>`` in a recipient, or
``<case-c<case id>-<mac>@<domain>>`` (the case's thread Message-ID) in a reference.

The tokens are made by ``cases.services.mail.reply_token``. A token is accepted when its
MAC is right under the current SECRET_KEY or one of SECRET_KEY_FALLBACKS (so rotating
the key does not orphan replies in flight). Whether the case still takes replies is the
caller's business (see ``inbound.services.ingest``).
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare

from cases.services.mail import reply_token

TOKEN_RE = re.compile(r"c(\d{1,18})-([a-z2-7]{32})")
_THREAD_ID_RE = re.compile(r"<case-([^@>]{1,80})@[^>]*>", re.IGNORECASE)


def support_local_part() -> str:
    return parseaddr(settings.SUPPORT_EMAIL)[1].partition("@")[0].lower()


def tokens_in_addresses(addresses: list[str]) -> list[str]:
    """Every ``support+<something>`` extension among the addresses, lower-cased (a mail
    server may have changed its case); something that is not a token is kept too: it
    is a claim to a case that will not verify."""
    prefix = support_local_part() + "+"
    found = []
    for address in addresses:
        local = address.rpartition("@")[0].lower()
        if prefix != "+" and local.startswith(prefix) and len(local) > len(prefix):
            found.append(local[len(prefix) :])
    return list(dict.fromkeys(found))


def tokens_in_references(message_ids: list[str]) -> list[str]:
    found = []
    for message_id in message_ids:
        match = _THREAD_ID_RE.fullmatch(message_id.strip())
        if match:
            found.append(match.group(1).lower())
    return list(dict.fromkeys(found))


def verify_token(token: str) -> int | None:
    """The case id a genuine token names; None for anything forged or mangled."""
    match = TOKEN_RE.fullmatch((token or "").lower())
    if not match:
        return None
    case_id = int(match.group(1))
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(reply_token(case_id, secret=secret), match.group(0)):
            return case_id
    return None
