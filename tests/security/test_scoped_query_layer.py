"""ONE SCOPED QUERY LAYER: views and API views read organization-owned rows only through
the selectors (``cases.selectors.cases_visible_to`` / ``get_case_for`` /
``get_attachment_for`` / ``messages_visible_to``..., ``escalation.selectors``,
``knowledge.selectors.get_article_for``...), never with ``Model.objects`` of their own.

The check is static and generated: every URL pattern is resolved to its view (function,
Django class-based view or DRF APIView); the source of that view, and of every helper of
the view layer (``*.views``, ``*.api``, ``*.downloads``) it calls, is parsed, and each
direct use of an organization-owned model's manager (``Case.objects``, ``get_object_or_404(
Message, …)``, raw SQL through ``connection.cursor``) is a violation, unless it is in
``ALLOWED`` below with the reason it is safe. A route that names a case, an attachment or
an article must moreover reach the selector that scopes it.

``test_the_checker_catches_*`` prove the checker itself sees a violation.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.security.tenancy_world import walk_routes

pytestmark = [pytest.mark.security]

PROJECT_APPS = ("accounts", "cases", "escalation", "sla", "knowledge", "notifications", "inbound", "insights")
# The view layer: modules whose code runs a request. Everything else (selectors, services,
# permissions) is the scoped layer itself, or is called with what it has already scoped.
VIEW_MODULE_SUFFIXES = (".views", ".api", ".downloads")
# Models whose rows belong to one organization (or are staff-only material about them).
TENANT_MODELS = {
    "Case",
    "Message",
    "Attachment",
    "CaseEvent",
    "TimeEntry",
    "Escalation",
    "EnterpriseDownDeclaration",
    "Feedback",
    "Organization",
    "Membership",
    "Article",
    "ArticleVote",
    "CaseArticle",
    "InboundMessage",
    "OutboxEmail",
}
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}

# Third-party views: not ours to inspect.
FOREIGN_VIEWS = {
    "django.contrib.admin": "the Django admin, for admin-site users only (is_staff), probed by the matrix",
    "django.contrib.auth": "Django's own auth views (login, password change and reset)",
    "django.contrib.contenttypes": "the admin's view-on-site shortcut (admin-site users only)",
    "drf_spectacular": "the schema and its docs page: no tenant data",
    "django.views.generic": "the admin's redirects from an object's URL to its change page",
}

# (where, model) → why the direct access is safe. Keep it short; fix rather than add.
ALLOWED = {
    ("accounts.api.OrganizationListApi", "Organization"): (
        "staff list every organization; a customer's list is filtered by their memberships in the "
        "same line; the provisioning input (admins only) looks up the partner by number"
    ),
    ("accounts.api.OrganizationDetailApi", "Organization"): (
        "filtered by the caller's memberships unless staff; missing → 404"
    ),
    ("accounts.api.UserListApi", "Organization"): "provisioning input, admins only (can_provision)",
    ("accounts.api.ActiveOrganizationApi", "Organization"): (
        "looks the id up only to hand it to switch_active_organization, which refuses a non-member"
    ),
    ("accounts.views.switch_organization", "Organization"): (
        "looks the id up only to hand it to switch_active_organization, which refuses a non-member"
    ),
    ("cases.api.CaseListApi", "Organization"): (
        "looks the id up only to hand it to log_case, which refuses an organization the caller is not in"
    ),
    ("cases.api.BillingApi", "Organization"): "after can_see_billing (members and staff), which answers 404",
    ("cases.views.billing", "Organization"): "after can_see_billing (members and staff), which answers 404",
    ("escalation.api.EscalationAcknowledgeApi", "Escalation"): (
        "filtered by a case fetched with get_case_for just before"
    ),
    ("inbound.api._case_named", "Case"): (
        "quarantine actions, support staff only (IsSupportStaff): staff may name any case"
    ),
    ("knowledge.api.CaseArticleApi", "Article"): (
        "after get_case_for; linking is for engineers only (the service refuses customers), and staff see drafts"
    ),
}

# A route matching one of these names an organization's object: its view must reach one
# of the selectors that scope it (every rule a route matches must hold).
SCOPED_ROUTES = [
    (re.compile(r"<(\w+:)?number>"), {"get_case_for", "cases_visible_to"}),
    (re.compile(r"<(\w+:)?attachment_id>"), {"get_attachment_for"}),
    (re.compile(r"articles/<(\w+:)?pk>"), {"get_article_for", "articles_visible_to"}),
    (re.compile(r"organizations/<(\w+:)?pk>/billing"), {"can_see_billing"}),
]


@dataclass(frozen=True)
class Violation:
    where: str  # module.function or module.Class (or module.Class.helper's owner)
    model: str
    line: int
    what: str


class _Finder(ast.NodeVisitor):
    def __init__(self, where: str, first_line: int) -> None:
        self.where = where
        self.offset = first_line - 1
        self.found: list[Violation] = []
        self.names: set[str] = set()

    def _add(self, node: ast.AST, model: str, what: str) -> None:
        self.found.append(Violation(self.where, model, self.offset + getattr(node, "lineno", 0), what))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            if node.value.id in TENANT_MODELS and node.attr in MANAGER_ATTRIBUTES:
                self._add(node, node.value.id, f"{node.value.id}.{node.attr}")
            if node.value.id == "connection" and node.attr == "cursor":
                self._add(node, "SQL", "connection.cursor (raw SQL)")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in SHORTCUTS and node.args and isinstance(node.args[0], ast.Name):
            model = node.args[0].id
            if model in TENANT_MODELS:
                self._add(node, model, f"{name}({model}, …)")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)


def check_source(source: str, *, where: str, first_line: int = 1) -> tuple[list[Violation], set[str]]:
    """The violations in one piece of source, and the names it uses (to follow helpers)."""
    finder = _Finder(where, first_line)
    finder.visit(ast.parse(textwrap.dedent(source)))
    return finder.found, finder.names


def _is_view_layer(module: str) -> bool:
    return module.startswith(PROJECT_APPS) and module.endswith(VIEW_MODULE_SUFFIXES)


def view_target(callback: object) -> object:
    """The function or class behind a URL pattern's callback (decorators unwrapped)."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return cls
    return inspect.unwrap(callback)  # type: ignore[arg-type]


def _own_classes(cls: type) -> Iterator[type]:
    for klass in cls.__mro__:
        if klass.__module__.startswith(PROJECT_APPS):
            yield klass


def _namespace(target: object) -> dict[str, object]:
    if isinstance(target, types.FunctionType):
        return target.__globals__
    module = inspect.getmodule(target)
    return vars(module) if module else {}


def check_view(target: object) -> tuple[list[Violation], set[str]]:
    """Every violation reachable from one view, and every name its code uses."""
    pending: list[object] = [target]
    seen: set[int] = set()
    violations: list[Violation] = []
    names: set[str] = set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        pieces = list(_own_classes(item)) if isinstance(item, type) else [item]
        for piece in pieces:
            try:
                lines, first = inspect.getsourcelines(piece)  # type: ignore[arg-type]
            except (OSError, TypeError):
                continue
            where = f"{piece.__module__}.{piece.__qualname__}"  # type: ignore[attr-defined]
            found, used = check_source("".join(lines), where=where, first_line=first)
            violations += found
            names |= used
            namespace = _namespace(piece)
            for name in used:
                helper = namespace.get(name)
                if isinstance(helper, types.FunctionType | type) and _is_view_layer(helper.__module__):
                    pending.append(helper)
    return violations, names


def project_views() -> list[tuple[str, object]]:
    """(route, view) for every route whose view is the project's own."""
    views = []
    for route in walk_routes():
        target = view_target(route.callback)
        module = getattr(target, "__module__", "")
        if module.startswith(tuple(FOREIGN_VIEWS)):
            continue
        views.append((route.route, target))
    return views


def test_every_view_of_the_project_is_found():
    routes = list(walk_routes())
    ours = project_views()
    foreign = [
        r.route for r in routes if getattr(view_target(r.callback), "__module__", "").startswith(tuple(FOREIGN_VIEWS))
    ]
    assert len(ours) + len(foreign) == len(routes)
    unknown = [route for route, target in ours if not getattr(target, "__module__", "").startswith(PROJECT_APPS)]
    # casetracker's own views (the health probe) hold no tenant data.
    assert all(route == "healthz" for route in unknown), unknown
    assert len(ours) >= 90


def test_views_read_tenant_rows_only_through_the_selectors():
    violations: set[Violation] = set()
    for _route, target in project_views():
        found, _names = check_view(target)
        violations |= set(found)

    unexplained = sorted(
        f"{v.where}:{v.line}: {v.what}"
        for v in violations
        if not any(_matches(v, where, model) for where, model in ALLOWED)
    )
    assert unexplained == [], (
        "These views query organization-owned rows directly; go through the selectors "
        "(cases.selectors, escalation.selectors, knowledge.selectors) or, if it is safe, add the "
        "place to ALLOWED with the reason:\n" + "\n".join(unexplained)
    )
    # An allow-list entry that no longer matches anything is stale: remove it.
    used = {(where, model) for where, model in ALLOWED if any(_matches(v, where, model) for v in violations)}
    assert set(ALLOWED) - used == set()


def _matches(violation: Violation, where: str, model: str) -> bool:
    return violation.model == model and (violation.where == where or violation.where.startswith(where + "."))


def test_routes_that_name_a_tenant_object_reach_its_selector():
    missing = []
    checked = 0
    for route, target in project_views():
        rules = [selectors for pattern, selectors in SCOPED_ROUTES if pattern.search(route)]
        if not rules:
            continue
        checked += 1
        _violations, names = check_view(target)
        for selectors in rules:
            if not names & selectors:
                missing.append(f"/{route}: never calls {sorted(selectors)}")
    assert checked >= 40
    assert missing == []


# --- The checker catches what it should -------------------------------------------------------

LEAKY = """
def case_page(request, number):
    case = Case.objects.get(pk=parse_case_number(number))
    notes = get_object_or_404(Message, case=case, pk=request.GET["note"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
    return render(request, "x.html", {"case": case, "notes": notes})


class CaseApi(APIView):
    class Input(serializers.Serializer):
        organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())

    def get(self, request, number):
        return Response(Attachment._default_manager.filter(case__number=number).values())
"""

SCOPED = """
def case_page(request, number):
    case = get_case_for(request.user, number)
    thread = messages_visible_to(request.user, case)
    article = get_object_or_404(Thing, pk=1)  # not an organization's row
    return render(request, "x.html", {"case": case, "thread": thread, "article": article})
"""


def test_the_checker_catches_direct_access_to_tenant_rows():
    found, _names = check_source(LEAKY, where="synthetic")

    assert sorted(v.what for v in found) == [
        "Attachment._default_manager",
        "Case.objects",
        "Organization.objects",
        "connection.cursor (raw SQL)",
        "get_object_or_404(Message, …)",
    ]


def test_the_checker_passes_scoped_code_and_follows_helpers():
    found, names = check_source(SCOPED, where="synthetic")
    assert found == []
    assert {"get_case_for", "messages_visible_to"} <= names

    # A real view whose helper holds the direct access: the helper is followed.
    from inbound.api import QuarantineAttachApi

    violations, _ = check_view(QuarantineAttachApi)
    assert ("inbound.api._case_named", "Case") in {(v.where, v.model) for v in violations}
