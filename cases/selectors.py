"""Reads about cases. Every door goes through ``cases_visible_to`` / ``get_case_for``:
a customer sees only their organizations' cases, and a case that is not theirs answers
exactly like one that does not exist (404)."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import BooleanField, Exists, Expression, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models import Case as DbCase
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Organization, User

from .models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    Message,
    Status,
    TimeEntry,
    format_case_number,
    parse_case_number,
)

LIST_RELATED = ("organization", "requester", "assignee")


def member_organization_ids(user: User) -> list[int]:
    """The user's organizations, looked up once per request (cached on the user)."""
    cached = getattr(user, "_member_organization_ids", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
        user._member_organization_ids = cached
    return cached


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    queryset = Case.objects.select_related(*LIST_RELATED)
    if user.is_support_staff:
        return queryset
    # The ids as literal values, not a subquery: the planner then knows how big each
    # organization is and stops after one page instead of sorting the largest one whole.
    return queryset.filter(organization_id__in=member_organization_ids(user))


def get_case_for(user: User, number: str, *, for_update: bool = False) -> Case:
    pk = parse_case_number(number)
    if pk is None:
        raise Http404
    queryset = cases_visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def messages_visible_to(user: User, case: Case) -> QuerySet[Message]:
    queryset = case.messages.select_related("author").prefetch_related("attachments")
    if not user.is_support_staff:
        queryset = queryset.filter(internal=False)
    return queryset.order_by("created_at", "id")


def events_visible_to(user: User, case: Case) -> QuerySet[CaseEvent]:
    queryset = case.events.select_related("actor")
    if not user.is_support_staff:
        queryset = queryset.filter(public=True)
    return queryset.order_by("created_at", "id")


def get_attachment_for(user: User, attachment_id: int) -> Attachment:
    """An attachment the user may download: on a case they can see, and not on an
    internal note unless they are staff."""
    attachment = (
        Attachment.objects.select_related("case", "message")
        .filter(pk=attachment_id, case__in=cases_visible_to(user))
        .first()
    )
    if attachment is None or (attachment.internal and not user.is_support_staff):
        raise Http404
    return attachment


# A case number as people type it in a search box: "C-000123", "c-123", "#123".
CASE_NUMBER_QUERY_RE = re.compile(r"^(?:#|C-)(\d{1,10})$", re.IGNORECASE)
# A bare number may be a case number or a word of the text (an error code).
BARE_NUMBER_QUERY_RE = re.compile(r"^#?(\d{1,10})$")
MAX_CASE_ID = 2**31 - 1
# A query naming more organizations than this is not about an organization.
ORGANIZATION_MATCH_LIMIT = 20
MAX_QUERY_LENGTH = 200

# Each lexeme of the parsed query (quoted in tsquery's text form, with '' and \\ escaped)
# becomes a prefix match: "spool" finds "spooler", as the LIKE search it replaces did.
_LEXEME_RE = r"'((?:[^'\\]|''|\\.)*)'"
_PREFIX = r"'\1':*"


class CaseTextMatch(Expression):
    """``search_vector @@ <query>`` on the case table (PostgreSQL).

    The query goes through ``websearch_to_tsquery('simple', …)``, which accepts any text
    (quotes for phrases, ``or``, ``-word``; stray operators are ignored, never an error),
    then every lexeme becomes a prefix (``'word':*``). All of it is immutable, so the
    planner folds it into a constant and estimates it from the column's statistics.
    ``search_vector`` is a generated column, not a model field (see ``Case``), so this
    expression names it through the query's alias for the case table (relabelled in
    subqueries like any column).
    """

    output_field = BooleanField()
    # Its matches are spread over the table: paginators ask the planner before counting
    # them (see casetracker.pagination).
    count_by_estimate = True

    def __init__(self, query: str, alias: str | None = None) -> None:
        super().__init__()
        self.query = query
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):  # type: ignore[no-untyped-def]
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):  # type: ignore[no-untyped-def]
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):  # type: ignore[no-untyped-def]
        return [self]

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        column = f"{compiler.quote_name_unless_alias(self.alias)}.search_vector"
        sql = f"{column} @@ (regexp_replace(websearch_to_tsquery('simple'::regconfig, %s)::text, %s, %s, 'g'))::tsquery"
        return sql, [self.query, _LEXEME_RE, _PREFIX]


def _case_number_in(query: str) -> tuple[int | None, bool]:
    """(case id, exact): a case number ("C-000123", any padding or case) names that case
    only; a bare number ("123") may name a case or be a word of the text."""
    match = CASE_NUMBER_QUERY_RE.match(query)
    if match and 0 < int(match.group(1)) <= MAX_CASE_ID:
        return int(match.group(1)), True
    match = BARE_NUMBER_QUERY_RE.match(query)
    if match and 0 < int(match.group(1)) <= MAX_CASE_ID:
        return int(match.group(1)), False
    return None, False


def search_cases(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Text search over the cases of ``queryset``, keeping its order (newest first unless
    the list asks for another).

    - A case number ("C-000123", "c-123", "#123") goes straight to that case.
    - PostgreSQL: the words match title, product and description through the indexed
      ``search_vector`` (whole words and word prefixes, any letter case; quotes, ``or`` and
      ``-word`` as in web search engines); a bare number also finds the case with that
      number; the whole query also finds the cases of the organization whose customer
      number it is or whose name contains it (when at most 20 organizations do: one small
      query on the organization table, then ``organization_id IN (…)`` with literal ids so
      the planner can combine it with the text index).
    - SQLite (development): substring match (LIKE) of every word on title, description,
      product and the organization's name or customer number, as before.
    """
    # NUL cannot be sent to PostgreSQL in a string; nobody searches for it.
    query = (query or "").replace("\x00", " ").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    number, exact = _case_number_in(query)
    if exact:
        return queryset.filter(pk=number)
    if connection.vendor != "postgresql":
        return _search_cases_like(queryset, query)
    condition = Q(CaseTextMatch(query)) if re.search(r"\w", query) else Q(pk__in=[])
    if number is not None:
        condition |= Q(pk=number)
    organizations = list(
        Organization.objects.filter(Q(name__icontains=query) | Q(customer_number__iexact=query)).values_list(
            "pk", flat=True
        )[: ORGANIZATION_MATCH_LIMIT + 1]
    )
    if 0 < len(organizations) <= ORGANIZATION_MATCH_LIMIT:
        condition |= Q(organization_id__in=organizations)
    return queryset.filter(condition)


def _search_cases_like(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    pk = parse_case_number(query.upper())
    if pk is not None:
        return queryset.filter(pk=pk)
    condition = Q()
    for word in query.split()[:8]:
        condition &= (
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(product__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(organization__customer_number__iexact=word)
        )
    return queryset.filter(condition)


class Queue:
    ALL = "all"
    OPEN = "open"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    WAITING = "waiting"
    EDOWN = "edown"
    SLA = "sla"
    ESCALATED = "escalated"


QUEUES = (
    Queue.OPEN,
    Queue.EDOWN,
    Queue.SLA,
    Queue.UNASSIGNED,
    Queue.MINE,
    Queue.ESCALATED,
    Queue.WAITING,
    Queue.ALL,
)
# A case is "at risk" when its next SLA due time falls within this window.
SLA_RISK_WINDOW = timedelta(hours=2)


def staff_queue(user: User, queue: str) -> QuerySet[Case]:
    """A dashboard queue, most urgent first (E-Down tops every queue)."""
    queryset = cases_visible_to(user)
    if queue == Queue.ALL:
        return queryset.order_by("-id")
    queryset = queryset.filter(status__in=OPEN_STATUSES)
    if queue == Queue.UNASSIGNED:
        queryset = queryset.filter(assignee__isnull=True)
    elif queue == Queue.MINE:
        queryset = queryset.filter(assignee=user)
    elif queue == Queue.WAITING:
        queryset = queryset.filter(status__in=(Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED))
    elif queue == Queue.EDOWN:
        queryset = queryset.filter(severity_rank=0)
    elif queue == Queue.SLA:
        # At risk or breached, most urgent due time first; E-Down still on top.
        queryset = queryset.filter(sla_due_at__lte=timezone.now() + SLA_RISK_WINDOW)
        return queryset.order_by(DbCase(When(severity_rank=0, then=Value(0)), default=Value(1)), "sla_due_at", "-id")
    elif queue == Queue.ESCALATED:
        # Open management escalations routed to this manager (rows of the escalation app).
        queryset = queryset.filter(
            Exists(apps.get_model("escalation", "Escalation").objects.filter(case=OuterRef("pk"), manager=user))
        )
    return queryset.order_by("severity_rank", "-id")


def open_cases_of(user: User) -> QuerySet[Case]:
    return cases_visible_to(user).filter(status__in=OPEN_STATUSES).order_by("severity_rank", "-id")


@dataclass(frozen=True)
class BillingLine:
    number: str
    title: str
    request_type: str
    billable_minutes: int

    @property
    def hours(self) -> float:
        return round(self.billable_minutes / 60, 2)


@dataclass(frozen=True)
class BillingStatement:
    organization: Organization
    month: str
    lines: list[BillingLine]

    @property
    def total_minutes(self) -> int:
        return sum(line.billable_minutes for line in self.lines)

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 2)


def parse_month(value: str) -> tuple[int, int] | None:
    try:
        year_text, month_text = (value or "").split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        return None
    if len(year_text) != 4 or len(month_text) != 2 or not 1 <= month <= 12 or year < 1970:
        return None
    return year, month


def billing_statement(*, organization: Organization, year: int, month: int) -> BillingStatement:
    """Billable work on the organization's cases in one calendar month of its timezone."""
    zone = zoneinfo.ZoneInfo(organization.timezone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    rows = (
        TimeEntry.objects.filter(
            case__organization=organization, billable=True, created_at__gte=start, created_at__lt=end
        )
        .values("case_id", "case__title", "case__request_type")
        .annotate(minutes=Sum("minutes"))
        .order_by("case_id")
    )
    lines = [
        BillingLine(
            number=format_case_number(row["case_id"]),
            title=row["case__title"],
            request_type=row["case__request_type"],
            billable_minutes=row["minutes"],
        )
        for row in rows
    ]
    return BillingStatement(organization=organization, month=f"{year:04d}-{month:02d}", lines=lines)
