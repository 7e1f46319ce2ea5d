"""Queue e-mails in the outbox; deliver them once.

``queue_email`` is called inside the business transaction that causes the mail: the row
commits or rolls back with the change. Delivery runs after commit (a Celery task), and a
periodic sweep picks up anything the broker lost, anything waiting for a retry, and
anything a dead worker left half-done.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxEmail, OutboxStatus
from .selectors import due_filter, due_outbox_ids

logger = logging.getLogger(__name__)


def _domain() -> str:
    # DEFAULT_FROM_EMAIL may carry a display name: "Acme Support <support@example.com>".
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_domain()}>"


def _one_line(text: str) -> str:
    # A subject is one header line: no CR/LF can ever reach it (header injection).
    return " ".join(text.split())[:255]


def render_email(*, template: str, context: dict[str, Any], language: str, tz: str = "UTC") -> tuple[str, str, str]:
    """Render ``templates/emails/<template>.*`` in the recipient's language and timezone."""
    ctx = {"site_url": settings.SITE_URL, **context}
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(language), timezone.override(zone):
        subject = _one_line(render_to_string(f"emails/{template}.subject.txt", ctx))
        body_text = render_to_string(f"emails/{template}.body.txt", ctx)
        try:
            body_html = render_to_string(f"emails/{template}.body.html", ctx)
        except Exception:  # the HTML part is optional per template
            body_html = ""
    return subject, body_text, body_html


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "en",
    tz: str = "UTC",
    case_number: str = "",
    reply_to: str = "",
    in_reply_to: str = "",
    dedupe_key: str | None = None,
    context_loader: str = "",
    context_args: dict[str, Any] | None = None,
) -> OutboxEmail:
    """Write one outbox row and arrange its delivery after the surrounding commit."""
    if dedupe_key is not None:
        existing = OutboxEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    row = _outbox_row(
        EmailSpec(
            to=to,
            template=template,
            context=context,
            language=language,
            tz=tz,
            case_number=case_number,
            reply_to=reply_to,
            in_reply_to=in_reply_to,
            dedupe_key=dedupe_key,
            context_loader=context_loader,
            context_args=context_args,
        )
    )
    if dedupe_key is None:
        # Nothing to deduplicate: no savepoint (two round trips) around the insert.
        row.save()
    else:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Another transaction queued the same mail meanwhile: that row is the mail.
            return OutboxEmail.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: enqueue_delivery(row.pk))
    return row


def _outbox_row(spec: EmailSpec) -> OutboxEmail:
    """The unsaved row for ``spec``: rendered now, or left for the worker when it names a loader."""
    if spec.context_loader:
        if spec.context_loader not in _CONTEXT_LOADERS:
            raise ValueError(f"no e-mail context loader named {spec.context_loader!r}")
        subject = body_text = body_html = ""
    else:
        subject, body_text, body_html = render_email(
            template=spec.template, context=spec.context, language=spec.language, tz=spec.tz
        )
    return OutboxEmail(
        to=spec.to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=spec.template,
        language=spec.language,
        tz=spec.tz,
        case_number=spec.case_number,
        message_id=new_message_id(),
        reply_to=spec.reply_to,
        in_reply_to=spec.in_reply_to,
        dedupe_key=spec.dedupe_key,
        context_loader=spec.context_loader,
        context_args=spec.context_args if spec.context_loader else None,
    )


# --- Rendering at delivery --------------------------------------------------------------
#
# A scheduled job that mails thousands of people in one run (automatic closing and its
# reminders) must not spend its time, and its transactions' time, rendering templates:
# it queues each row with the name of a context loader and the loader's arguments (ids),
# in the same transaction as the change, and the worker that delivers the row renders it
# in the recipient's language and timezone. Rendering then runs on the workers, in
# parallel with everything else, and the job costs a few inserts per mail. Apps register
# their loaders at start-up (``AppConfig.ready``).

ContextLoader = Callable[..., dict[str, Any]]
_CONTEXT_LOADERS: dict[str, ContextLoader] = {}


def context_loader(name: str) -> Callable[[ContextLoader], ContextLoader]:
    """Register ``func(**context_args) -> context`` under ``name`` for rows rendered at delivery."""

    def register(func: ContextLoader) -> ContextLoader:
        _CONTEXT_LOADERS[name] = func
        return func

    return register


def render_deferred(row: OutboxEmail, *, save: bool = True) -> dict[str, str]:
    """Render a row queued with a context loader; returns the fields it set (none if it was
    rendered already). The delivery saves them with the row's final state (``save=False``),
    so what was sent stays on the row without one more write per mail."""
    if not row.context_loader:
        return {}
    context = _CONTEXT_LOADERS[row.context_loader](**(row.context_args or {}))
    subject, body_text, body_html = render_email(
        template=row.template, context=context, language=row.language, tz=row.tz
    )
    fields = {"subject": subject, "body_text": body_text, "body_html": body_html, "context_loader": ""}
    for name, value in fields.items():
        setattr(row, name, value)
    if save:
        OutboxEmail.objects.filter(pk=row.pk).update(**fields)
    return fields


def enqueue_delivery(outbox_id: int) -> None:
    """Hand the row to a worker; if the broker is down, the sweep will find it later."""
    from .tasks import deliver_email_task

    try:
        deliver_email_task.apply_async(args=[outbox_id], retry=False)
    except Exception:
        logger.warning("outbox %s: broker unavailable, left for the sweep", outbox_id, exc_info=True)


# --- Delivery -------------------------------------------------------------------------
#
# Every delivery claims its row first, with one conditional UPDATE that only one worker
# can win (the task after commit, a second copy of it, a sweep). The claim is a lease:
# should the worker die mid-send, the row becomes due again when the lease runs out and
# the next sweep re-claims it. A delivery never runs inside the caller's transaction in
# production (tasks and sweeps run in autocommit), so the claim is visible to every
# other worker the moment it is made.
#
# A row is marked sent by one UPDATE of its own, the moment the mail server has answered
# 250 to that message (a sweep marks each row before it sends the next). A worker killed
# in between — or killed just before, while its connection stays open for the moment a
# dying process takes to close its sockets, and the server answers in that moment — has
# left the mail with the server and a row that says "sending". That gap is the one no SMTP
# client can close: the mail goes out again after the lease, once, with the same
# Message-ID, so the copy can be recognised downstream. A delivery cut off before the
# server's 250 was never accepted (RFC 5321 §3.8), and the retry is its only copy.

# OUTBOX_LEASE_SECONDS: longer than any one delivery can take (every SMTP step is bounded
# by EMAIL_TIMEOUT), five minutes unless set.
LEASE = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
MAX_ATTEMPTS = 12
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# After the mail server could not be reached at all, a row waits this long and no longer,
# however many times that happened: the outage says nothing about the message, and a
# sweep stops at the first refused connection, so the server is asked once per sweep,
# never once per mail. Once it is back, every waiting mail goes out with the first sweep
# that runs after this wait (a growing backoff would keep some for up to BACKOFF_CAP).
UNREACHABLE_WAIT = timedelta(seconds=10)
SWEEP_BATCH = 100
SWEEP_LIMIT = 500


class _Outcome(enum.Enum):
    SENT = "sent"
    NOT_CLAIMED = "not claimed"
    RETRY = "retry"
    FAILED = "failed"
    # The mail server could not be reached at all: the row waits UNREACHABLE_WAIT and is
    # retried, but this never counts towards giving up, since it says nothing about the message.
    UNREACHABLE = "unreachable"


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its ``attempts``-th attempt failed for a passing reason."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def _claim(*, outbox_id: int, now: datetime) -> OutboxEmail | None:
    # A long sweep hands in the time it started at: the lease must still run from the
    # moment of the claim, or a late row would be claimed with a lease already spent.
    now = max(now, timezone.now())
    lease_until = now + LEASE
    claimed = (
        OutboxEmail.objects.filter(pk=outbox_id)
        .filter(due_filter(now=now))
        .update(status=OutboxStatus.SENDING, claimed_until=lease_until, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    # The lease's own end time identifies this claim: the finishing update below only
    # lands while the row is still ours.
    return OutboxEmail.objects.get(pk=outbox_id)


def _finish(*, row: OutboxEmail, **changes: Any) -> bool:
    changed = OutboxEmail.objects.filter(
        pk=row.pk, status=OutboxStatus.SENDING, claimed_until=row.claimed_until
    ).update(claimed_until=None, **changes)
    if changed != 1:
        logger.warning("outbox %s: lease expired before the delivery finished; another worker has the row", row.pk)
    return changed == 1


def _build_message(*, row: OutboxEmail, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    headers = {"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"}
    if row.in_reply_to:
        headers["In-Reply-To"] = row.in_reply_to
        headers["References"] = row.in_reply_to
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        reply_to=[row.reply_to] if row.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    # Build the MIME message now, so that a message that can never be built (a header
    # with a line break) is told apart from a mail server that said no.
    message.message()
    return message


def _is_permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message; anything else may pass and is tried again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: BaseException) -> str:
    """The error for the admin and the log: no message body, no SMTP password."""

    def text(reply: bytes | str) -> str:
        return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{code} {text(reply)}" for code, reply in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {text(exc.smtp_error)}"
    else:
        detail = str(exc)
    described = f"{type(exc).__name__}: {detail}"
    password = getattr(settings, "EMAIL_HOST_PASSWORD", "")
    if password:
        described = described.replace(password, "***")
    return described[:1000]


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # a dead connection may fail to say goodbye; nothing to do about it
        logger.debug("outbox: closing the mail connection failed", exc_info=True)


def _retry_later(*, row: OutboxEmail, exc: BaseException, counts_towards_giving_up: bool) -> _Outcome:
    error = _describe(exc)
    if counts_towards_giving_up and row.attempts >= MAX_ATTEMPTS:
        _finish(row=row, status=OutboxStatus.FAILED, last_error=error)
        logger.error("outbox %s: failed after %s attempts: %s", row.pk, row.attempts, error)
        return _Outcome.FAILED
    wait = backoff(row.attempts) if counts_towards_giving_up else UNREACHABLE_WAIT
    _finish(row=row, status=OutboxStatus.PENDING, next_attempt_at=timezone.now() + wait, last_error=error)
    logger.warning(
        "outbox %s: attempt %s failed, next in %ss: %s", row.pk, row.attempts, int(wait.total_seconds()), error
    )
    return _Outcome.UNREACHABLE if not counts_towards_giving_up else _Outcome.RETRY


def _deliver(*, outbox_id: int, connection: BaseEmailBackend, now: datetime | None = None) -> _Outcome:
    row = _claim(outbox_id=outbox_id, now=now or timezone.now())
    if row is None:
        return _Outcome.NOT_CLAIMED
    try:
        rendered = render_deferred(row, save=False)
        message = _build_message(row=row, connection=connection)
    except Exception as exc:  # it will not build next time either
        _finish(row=row, status=OutboxStatus.FAILED, last_error=_describe(exc))
        logger.error("outbox %s: the message cannot be built: %s", row.pk, _describe(exc))
        return _Outcome.FAILED
    try:
        connection.open()
    except Exception as exc:
        _close_quietly(connection)
        return _retry_later(row=row, exc=exc, counts_towards_giving_up=False)
    try:
        if connection.send_messages([message]) != 1:
            raise smtplib.SMTPException("the mail backend accepted nothing")
    except Exception as exc:
        _close_quietly(connection)
        if _is_permanent(exc):
            _finish(row=row, status=OutboxStatus.FAILED, last_error=_describe(exc))
            logger.error("outbox %s: refused for good: %s", row.pk, _describe(exc))
            return _Outcome.FAILED
        return _retry_later(row=row, exc=exc, counts_towards_giving_up=True)
    _finish(row=row, status=OutboxStatus.SENT, sent_at=timezone.now(), **rendered)
    logger.info(
        "outbox %s sent (template %s, case %s, attempt %s)", row.pk, row.template, row.case_number, row.attempts
    )
    return _Outcome.SENT


def deliver_outbox_email(*, outbox_id: int) -> bool:
    """Send one outbox row if it is due and no other worker has it; True if it was sent.

    A passing failure (no connection, a timeout, a 4xx answer) puts the row back with a
    growing wait; a 5xx answer, or too many attempts, parks it as failed for the admin.
    """
    connection = get_connection(fail_silently=False)
    try:
        return _deliver(outbox_id=outbox_id, connection=connection) is _Outcome.SENT
    finally:
        _close_quietly(connection)


def sweep_outbox(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Deliver up to ``limit`` due rows, oldest due first, over one mail connection.

    Picks up what the broker lost and what waits for a retry, and re-claims rows whose
    worker died mid-delivery. Stops early when the mail server cannot be reached: the
    rows stay due for the next sweep. Returns how many were sent.
    """
    now = now or timezone.now()
    seen: set[int] = set()
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        while len(seen) < limit:
            batch = due_outbox_ids(now=now, limit=min(SWEEP_BATCH, limit - len(seen)), exclude=seen)
            if not batch:
                break
            for outbox_id in batch:
                seen.add(outbox_id)
                outcome = _deliver(outbox_id=outbox_id, connection=connection, now=now)
                if outcome is _Outcome.SENT:
                    sent += 1
                elif outcome is _Outcome.UNREACHABLE:
                    logger.warning("outbox sweep: mail server unreachable, stopping after %s sent", sent)
                    return sent
    finally:
        _close_quietly(connection)
    if seen:
        logger.info("outbox sweep: %s due, %s sent", len(seen), sent)
    return sent


@transaction.atomic
def retry_failed_emails(*, ids: Iterable[int]) -> int:
    """Give failed rows a fresh series of attempts, starting now; returns how many."""
    retried = list(
        OutboxEmail.objects.select_for_update()
        .filter(pk__in=list(ids), status=OutboxStatus.FAILED)
        .values_list("pk", flat=True)
    )
    OutboxEmail.objects.filter(pk__in=retried).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=0, claimed_until=None
    )
    for outbox_id in retried:
        transaction.on_commit(partial(enqueue_delivery, outbox_id))
    return len(retried)


@dataclass(frozen=True)
class EmailSpec:
    """One e-mail to queue: who, which template with what, in which language."""

    to: str
    template: str
    context: dict[str, Any]
    language: str = "en"
    tz: str = "UTC"
    case_number: str = ""
    reply_to: str = ""
    in_reply_to: str = ""
    dedupe_key: str | None = None
    # Rendered at delivery instead (see ``context_loader``): ``context`` is then unused.
    context_loader: str = ""
    context_args: dict[str, Any] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def queue_emails(specs: list[EmailSpec]) -> int:
    """Queue many e-mails with one insert, for scheduled jobs that mail in bulk.

    Rows whose ``dedupe_key`` already exists are skipped (never sent twice); after commit
    a single sweep delivers the batch instead of one task per row.
    """
    if not specs:
        return 0
    keys = [spec.dedupe_key for spec in specs if spec.dedupe_key]
    existing = set(OutboxEmail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    rows = [_outbox_row(spec) for spec in specs if not (spec.dedupe_key and spec.dedupe_key in existing)]
    OutboxEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if rows:
        transaction.on_commit(partial(enqueue_sweeps, len(rows)))
    return len(rows)


def enqueue_sweeps(rows: int) -> None:
    """One sweep for every ``SWEEP_LIMIT`` rows just queued, so a big batch drains at once."""
    for _ in range(-(-rows // SWEEP_LIMIT)):
        enqueue_sweep()


def enqueue_sweep() -> None:
    from .tasks import sweep_outbox_task

    try:
        sweep_outbox_task.apply_async(retry=False)
    except Exception:
        logger.warning("outbox: broker unavailable, the periodic sweep will deliver", exc_info=True)
