"""A small multi-tenant world for the security tests, and the tools to probe it.

Three customer organizations whose customer numbers are string prefixes of each other:

- **C** ("ACME-1", the victim): its customer Carol and two cases full of *canaries*, unique
  tokens planted in every kind of data a case carries (title, description, product,
  messages, an internal note, file names and contents, a time entry's note, a hand-over
  note, escalation reasons, an SPR number, an Enterprise Down questionnaire, feedback),
  plus C's own name, Carol's name and address, a draft knowledge-base article and a
  quarantined e-mail;
- **A** ("ACME-10") with Ann, its only member;
- **B** ("ACME-100") with Ben, who belongs to A and B.

A canary that reaches anybody but staff or C's own people is a leak. Numbers like
"ACME-1" / "ACME-10" catch a filter that matches prefixes (``LIKE 'ACME-1%'``) instead of
the whole customer number.

The module also holds the probing helpers shared by the matrix and the mass-assignment
tests: walking the URL resolver, filling route parameters, reading a whole response,
finding canaries, and a snapshot of everything C owns (to prove a request changed nothing).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Membership, Organization, Plan, User
from cases import services
from cases.models import Attachment, Case, CaseEvent, Channel, Message, TimeEntry
from escalation.models import EnterpriseDownDeclaration, Escalation, Feedback
from escalation.services import declare_enterprise_down, escalate_case, link_spr, submit_feedback
from inbound.models import InboundMessage, Source
from inbound.services.ingest import ingest_raw_message
from knowledge.models import Article, CaseArticle
from knowledge.services import create_article
from tests.factories import CustomerFactory, OrganizationFactory

# --- Canaries -------------------------------------------------------------------------------

CANARY_KINDS = (
    "orgname",  # C's name
    "person",  # Carol's name
    "mailbox",  # Carol's e-mail address
    "title",  # the rich case's title
    "description",
    "product",
    "message",  # Carol's public message
    "reply",  # the engineer's public reply
    "note",  # an internal note
    "file",  # the name of a file logged with the case
    "filebody",  # the content of that file
    "replyfile",  # the name of a file on the public reply
    "secretfile",  # the name of a file on the internal note
    "secretbody",  # its content
    "timenote",  # a time entry's note
    "handover",  # a tier hand-over note
    "escalation",  # Carol's M1 escalation reason
    "phonecall",  # the M2 escalation reason recorded by phone
    "spr",  # the SPR number
    "edown",  # what was done, in the E-Down questionnaire
    "contact",  # the E-Down contact person
    "feedback",  # Carol's feedback to management
    "title2",  # the fresh case's title
    "description2",
    "solution",  # the solution proposed on the fresh case
    "kbdraft",  # an unpublished article's title
    "kbbody",  # its body
    "mailsubject",  # a quarantined e-mail's subject
    "mailbody",  # and its text
)

# Canaries only staff may ever see, even on Carol's own pages (internal material).
# (An escalation's reason is the customer's own words, also when staff record it from a call.)
STAFF_ONLY_CANARIES = ("note", "secretfile", "secretbody", "timenote", "handover", "spr", "kbdraft", "kbbody")
STAFF_ONLY_CANARIES += ("mailsubject", "mailbody")


def make_canaries() -> dict[str, str]:
    """One unique, lower-case alphanumeric token per kind (short enough for an SPR number)."""
    run = secrets.token_hex(3)
    return {kind: f"zq{kind[:10]}{run}" for kind in CANARY_KINDS}


def find_canaries(text: str, canaries: dict[str, str]) -> list[str]:
    """The kinds of the canaries found in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [kind for kind, token in canaries.items() if token in lowered]


# --- The world ------------------------------------------------------------------------------


@dataclass
class World:
    canaries: dict[str, str]
    org_a: Organization
    org_b: Organization
    org_c: Organization
    ann: User  # customer of A
    ben: User  # customer of A and B
    carol: User  # customer of C (the victim)
    engineer: User
    manager: User
    director: User
    rich: Case  # C's case with every kind of canary
    fresh: Case  # C's case on which every customer action would succeed
    a_case: Case
    b_case: Case
    public_file: Attachment
    reply_file: Attachment
    secret_file: Attachment
    public_message: Message
    internal_note: Message
    m1: Escalation
    m2: Escalation
    draft: Article
    published: Article
    held_mail: InboundMessage

    @property
    def c_people(self) -> set[str]:
        """Addresses that may receive C's data: C's members and the staff."""
        members = User.objects.filter(memberships__organization=self.org_c).values_list("email", flat=True)
        staff = [u.email for u in User.objects.all() if u.is_support_staff]
        return {e.lower() for e in [*members, *staff]}


def _upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")


def build_world(*, engineer: User, manager: User, director: User) -> World:
    """Build A, B and C (see the module docstring) through the services, as users would."""
    t = make_canaries()
    org_c = OrganizationFactory(
        name=f"Canary Works {t['orgname']}",
        customer_number="ACME-1",
        plan=Plan.ENTERPRISE,
        production=True,
        country="US",
        timezone="America/New_York",
    )
    org_a = OrganizationFactory(name="Acme Ten", customer_number="ACME-10", country="US", timezone="UTC")
    org_b = OrganizationFactory(name="Acme Hundred", customer_number="ACME-100", country="FR", timezone="UTC")
    carol = CustomerFactory(
        email=f"carol.{t['mailbox']}@canary.example", name=f"Carol {t['person']}", organization=org_c
    )
    ann = CustomerFactory(email="ann@acme-ten.example", name="Ann Ten", organization=org_a)
    ben = CustomerFactory(email="ben@acme-hundred.example", name="Ben Both", organization=org_a)
    Membership.objects.create(user=ben, organization=org_b, is_primary=False)

    rich = services.log_case(
        actor=carol,
        title=f"Zebrafish cluster outage {t['title']}",
        description=f"The Zebrafish nodes stop answering. {t['description']}",
        severity="high",
        request_type="consultation",
        product=f"Zebrafish {t['product']}",
        version="9.1",
        organization=org_c,
        files=[_upload(f"{t['file']}.log", f"trace {t['filebody']}\n")],
    )
    services.assign_case(case=rich, actor=engineer, assignee=engineer, channel=Channel.API)
    public_message = services.add_message(
        case=rich, author=carol, body=f"More details: {t['message']}", channel=Channel.WEB
    )
    services.add_message(
        case=rich,
        author=engineer,
        body=f"Please try this: {t['reply']}",
        channel=Channel.API,
        files=[_upload(f"{t['replyfile']}.txt", "patch\n")],
    )
    internal_note = services.add_message(
        case=rich,
        author=engineer,
        body=f"Between us: {t['note']}",
        internal=True,
        channel=Channel.API,
        files=[_upload(f"{t['secretfile']}.txt", f"dump {t['secretbody']}\n")],
    )
    services.log_time(case=rich, actor=engineer, minutes=90, billable=True, note=t["timenote"], channel=Channel.API)
    services.change_tier(
        case=rich, actor=engineer, tier="L2", note=f"Over to you: {t['handover']}", channel=Channel.API
    )
    m1 = escalate_case(case=rich, actor=carol, reason=f"Too slow: {t['escalation']}", channel=Channel.WEB)
    m2 = escalate_case(case=rich, actor=engineer, reason=f"Called in: {t['phonecall']}", channel=Channel.PHONE)
    link_spr(case=rich, actor=engineer, spr_number=t["spr"], escalated=True, channel=Channel.API)
    declare_enterprise_down(
        case=rich,
        actor=carol,
        category="users_cannot_access",
        total_users=500,
        affected_users=400,
        actions_taken=f"Restarted the nodes. {t['edown']}",
        down_since=timezone.now() - datetime.timedelta(hours=2),
        contact={
            "name": f"Night Desk {t['contact']}",
            "phone": "+1 555 0100",
            "pager": "",
            "email": "night@canary.example",
            "on_site": True,
            "speaks_english": True,
        },
        channel=Channel.WEB,
    )
    submit_feedback(case=rich, author=carol, message=f"Unhappy: {t['feedback']}", escalate=False)

    fresh = services.log_case(
        actor=carol,
        title=f"Quokka sync stalled {t['title2']}",
        description=f"Quokka stopped syncing. {t['description2']}",
        severity="medium",
        request_type="incident",
        organization=org_c,
    )
    services.assign_case(case=fresh, actor=engineer, assignee=engineer, channel=Channel.API)
    services.propose_solution(case=fresh, actor=engineer, body=f"Do this: {t['solution']}", channel=Channel.API)

    a_case = services.log_case(
        actor=ann,
        title="Printer queue frozen",
        description="Nothing prints since Monday.",
        severity="low",
        request_type="incident",
        organization=org_a,
    )
    b_case = services.log_case(
        actor=ben,
        title="Licence key for the lab",
        description="We need a key for the second lab.",
        severity="low",
        request_type="license_key",
        organization=org_b,
    )
    draft = create_article(
        actor=engineer,
        title=f"Draft about Zebrafish {t['kbdraft']}",
        body=f"Not for customers yet. {t['kbbody']}",
        language="en",
        published=False,
    )
    published = create_article(
        actor=engineer,
        title="Zebrafish and Quokka: first steps",
        body="Restart the service, then check the logs.",
        language="en",
        published=True,
    )
    raw = (
        "From: Stranger <stranger@elsewhere.example>\r\n"
        "To: support@localhost\r\n"
        f"Subject: Zebrafish {t['mailsubject']}\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@elsewhere.example>\r\n"
        "Date: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Hello, {t['mailbody']}\r\n"
    ).encode()
    held_mail = ingest_raw_message(raw, source=Source.PIPE)
    assert held_mail.is_quarantined, held_mail.disposition

    rich.refresh_from_db()
    fresh.refresh_from_db()
    return World(
        canaries=t,
        org_a=org_a,
        org_b=org_b,
        org_c=org_c,
        ann=ann,
        ben=ben,
        carol=carol,
        engineer=engineer,
        manager=manager,
        director=director,
        rich=rich,
        fresh=fresh,
        a_case=a_case,
        b_case=b_case,
        public_file=rich.attachments.get(message__isnull=True),
        reply_file=Attachment.objects.get(case=rich, name__startswith=t["replyfile"]),
        secret_file=internal_note.attachments.get(),
        public_message=public_message,
        internal_note=internal_note,
        m1=m1,
        m2=m2,
        draft=draft,
        published=published,
        held_mail=held_mail,
    )


# --- What C owns, to prove that nothing changed ---------------------------------------------


def fingerprint(world: World) -> dict[str, str]:
    """Every row of C, and every row that could point into C, as one md5 per group of
    rows, in one round trip (PostgreSQL): cheap enough to take after every request."""
    from django.db import connection

    tables = {
        "case": Case._meta.db_table,
        "message": Message._meta.db_table,
        "attachment": Attachment._meta.db_table,
        "event": CaseEvent._meta.db_table,
        "time": TimeEntry._meta.db_table,
        "escalation": Escalation._meta.db_table,
        "feedback": Feedback._meta.db_table,
        "edown": EnterpriseDownDeclaration._meta.db_table,
        "kb_link": CaseArticle._meta.db_table,
    }
    parts = {
        "cases": f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {tables['case']} t WHERE t.organization_id = %(c)s",
    }
    for name in ("message", "attachment", "event", "time", "escalation", "feedback", "edown", "kb_link"):
        parts[name] = (
            f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {tables[name]} t "
            f"JOIN {tables['case']} c ON c.id = t.case_id WHERE c.organization_id = %(c)s"
        )
    parts["organization"] = f"SELECT md5(t::text) FROM {Organization._meta.db_table} t WHERE t.id = %(c)s"
    parts["members"] = (
        f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {Membership._meta.db_table} t "
        "WHERE t.organization_id = %(c)s"
    )
    parts["active_elsewhere"] = (
        f"SELECT count(*)::text FROM {User._meta.db_table} u WHERE u.active_organization_id = %(c)s AND NOT EXISTS "
        f"(SELECT 1 FROM {Membership._meta.db_table} m WHERE m.user_id = u.id AND m.organization_id = %(c)s)"
    )
    parts["draft"] = (
        f"SELECT md5(concat_ws('|', t.title, t.body, t.published, t.view_count, t.helpful_yes, t.helpful_no)) "
        f"FROM {Article._meta.db_table} t WHERE t.id = %(draft)s"
    )
    parts["held_mail"] = (
        f"SELECT md5(concat_ws('|', t.disposition, t.case_id, t.handled_at)) "
        f"FROM {InboundMessage._meta.db_table} t WHERE t.id = %(mail)s"
    )
    names = list(parts)
    sql = "SELECT " + ", ".join(f"({parts[name]})" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"c": world.org_c.pk, "draft": world.draft.pk, "mail": world.held_mail.pk})
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def describe_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    return ", ".join(sorted(key for key in before if before[key] != after[key]))


# --- Routes -----------------------------------------------------------------------------------

_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project: its full route text and the view behind it."""

    route: str
    name: str
    callback: Any
    is_regex: bool


def walk_routes(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern reachable from the root URLconf, with its full route text."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        text = str(pattern.pattern)
        regex = pattern.pattern.__class__.__name__ == "RegexPattern"
        if regex:
            text = text.lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from walk_routes(pattern.url_patterns, prefix + text, inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(part for part in (namespace, pattern.name or "") if part)
            yield Route(route=prefix + text, name=name, callback=pattern.callback, is_regex=regex)


def parameter_key(route: str, start: int, name: str) -> str:
    """What a route parameter names: ``number``, ``attachment_id``..., or for a bare
    ``pk``/``id``/``object_id`` the path segment in front of it (``organizations/pk``)."""
    if name not in ("pk", "id", "object_id"):
        return name
    segment = route[:start].rstrip("/").rsplit("/", 1)[-1]
    return f"{segment}/pk"


def fill_route(route: str, values: dict[str, Any], default: Any) -> str:
    """The route with every parameter replaced (``default`` for a parameter nobody named:
    a new route is still probed, with C's richest object in its place)."""

    def value_for(match: re.Match[str]) -> str:
        key = parameter_key(route, match.start(), match.group("name"))
        return str(values.get(key, values.get(match.group("name"), default)))

    text = _PARAMETER.sub(value_for, route)
    text = _REGEX_GROUP.sub(value_for, text)
    return "/" + text.replace("\\", "")


def fill_openapi_path(path: str, values: dict[str, Any], default: Any) -> str:
    """``/api/v1/cases/{number}/escalations/{id}/...`` with C's values."""

    def value_for(match: re.Match[str]) -> str:
        key = parameter_key(path.lstrip("/"), match.start() - 1, match.group(1))
        return str(values.get(key, values.get(match.group(1), default)))

    return re.sub(r"\{(\w+)\}", value_for, path)


# --- Responses --------------------------------------------------------------------------------


def response_text(response: Any) -> str:
    """Everything a caller receives: the headers and the whole body (streams read to the end)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    return headers + "\n\n" + body.decode("utf-8", errors="replace")


def is_login_redirect(response: Any) -> bool:
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    return location.startswith("/accounts/login/") or location.startswith("/admin/login/")


def schema_operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, operation) of the OpenAPI schema the project serves."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    with GENERATOR_STATS.silence():  # its warnings are test_openapi_schema's business
        schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), path, operation))
    return operations
