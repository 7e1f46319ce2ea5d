"""Browser pages for cases: the customer portal (home, Case Logger, Case Tracker, case
page, billing) and the staff side (dashboard, bulk assign, workspace, phone desk).

Every view is thin: parse the input with a form, fetch through a selector, check a
permission, call one service, then render or redirect. What the services raise is
answered the same way everywhere (:func:`_act`): ``ValidationError`` re-renders the
form with the errors beside its fields (400; 422 for htmx, which swaps only that),
``PermissionDenied`` is a 403 page, ``Conflict`` shows its message (409).

Every action is a plain POST form that redirects with a message; htmx only enhances
the reply and the internal note (the thread is swapped in place).
"""

from __future__ import annotations

import copy
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization, Tier
from accounts.selectors import active_organization_for, find_customers, organizations_of
from casetracker.errors import Conflict
from casetracker.pagination import BoundedPaginator

from .forms import (
    AssignForm,
    BillingMonthForm,
    BodyForm,
    BulkAssignForm,
    CaseListFilter,
    CaseLogForm,
    CustomerSearchForm,
    PhoneLogForm,
    ReopenForm,
    ReplyForm,
    TierForm,
    TimeForm,
    WithdrawForm,
    WorkspaceMessageForm,
    add_service_errors,
)
from .models import Case, Channel, RequestType
from .page_selectors import (
    bounded_count,
    can_still_reopen,
    case_files_visible_to,
    case_moments,
    edown_first,
    get_phone_customer,
    list_columns,
    organizations_spent_minutes,
    page_window,
    queue_rows,
    thread_rows,
    time_entry_rows,
    timeline_rows,
    tracker_rows,
)
from .permissions import can_see_billing, can_work_case, is_case_customer, is_staff
from .selectors import (
    QUEUES,
    Queue,
    billing_statement,
    cases_visible_to,
    events_visible_to,
    get_case_for,
    open_cases_of,
    staff_queue,
)
from .services import (
    add_message,
    assign_case,
    bulk_assign,
    change_tier,
    confirm_solution,
    log_case,
    log_time,
    propose_solution,
    reopen_case,
    request_info,
    withdraw_case,
)

PER_PAGE = 25
HOME_LIMIT = 20
MAX_PAGE = 10_000

DETAIL = "detail"
WORKSPACE = "workspace"

# Auto ids per form: several forms share one page, and field ids must stay unique.
REPLY_ID, WITHDRAW_ID, REOPEN_ID = "reply_%s", "withdraw_%s", "reopen_%s"
MESSAGE_ID, INFO_ID, SOLUTION_ID = "msg_%s", "info_%s", "solution_%s"
ASSIGN_ID, TIER_ID, TIME_ID = "assign_%s", "tier_%s", "time_%s"


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("This page is for support staff."))


def _invalid_status(request: HttpRequest) -> int:
    # base.html tells htmx to swap 422 answers (and no other error): a form re-rendered
    # with its errors. A plain form post gets the page again with 400.
    return 422 if request.htmx else 400


# --- Customer portal ----------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The portal home shows the knowledge base's news; a view may read another app's selectors.
    from knowledge.selectors import latest_news

    if is_staff(request.user):
        return redirect("cases:dashboard")
    rows = list(open_cases_of(request.user)[: HOME_LIMIT + 1])
    context = {
        "open_cases": rows[:HOME_LIMIT],
        "more_open_cases": len(rows) > HOME_LIMIT,
        "several_organizations": organizations_of(request.user).count() > 1,
        "news": latest_news(request.user.language),
    }
    return render(request, "cases/home.html", context)


@login_required
def log_case_view(request: HttpRequest) -> HttpResponse:
    """The Case Logger."""
    if is_staff(request.user):
        return redirect("cases:phone_desk")
    organizations = list(organizations_of(request.user))
    options = {
        "organizations": organizations,
        "active": active_organization_for(request.user, request.session),
        "auto_id": "id_%s",
    }
    if request.method != "POST":
        return render(request, "cases/log.html", {"form": CaseLogForm(**options)})
    form = CaseLogForm(request.POST, request.FILES, **options)
    if form.is_valid():
        try:
            case = log_case(actor=request.user, channel=Channel.WEB, session=request.session, **form.case_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s has been logged. A confirmation e-mail is on its way.") % {"number": case.number},
            )
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/log.html", {"form": form}, status=400)


@login_required
def tracker(request: HttpRequest) -> HttpResponse:
    """The Case Tracker: the customer's cases, filtered in the URL, 25 a page."""
    if is_staff(request.user):
        return redirect("cases:dashboard")
    organizations = list(organizations_of(request.user))
    several = len(organizations) > 1
    filterset = CaseListFilter(
        request.GET,
        queryset=cases_visible_to(request.user).order_by("-id"),
        organizations=organizations,
    )
    names = ["q", "status", "severity", "request_type", "ordering"]
    if several:
        names.insert(1, "organization")
    cases = filterset.qs
    # Counted up to 1,000 cases (and a few pages past this one), with the hours of the
    # counted cases in the same query; a bigger list shows "1,000+ cases".
    paginator = BoundedPaginator(list_columns(cases), PER_PAGE, aggregates={"minutes": Sum("spent_minutes")})
    page = paginator.get_page(request.GET.get("page"))
    filtered = any(request.GET.get(name) for name in names[:-1])
    total_minutes: int | None
    if not paginator.count:
        total_minutes = 0
    elif paginator.aggregates is not None:
        total_minutes = paginator.aggregates["minutes"] or 0
    elif not filtered:
        # All the customer's cases, more than were counted: their organizations' totals,
        # kept by the time-keeping service (one row each, whatever the number of cases).
        total_minutes = organizations_spent_minutes(request.user)
    else:
        # A filtered list of more than 1,000 cases: no total (it would read every match).
        total_minutes = None
    context = {
        "filterset": filterset,
        "filter_fields": _filter_fields(filterset.form, names),
        "page_obj": page,
        "rows": tracker_rows(page.object_list),
        "page_range": paginator.get_elided_page_range(page.number),
        "several_organizations": several,
        "total_hours": None if total_minutes is None else round(total_minutes / 60, 2),
        "page_hours": round(sum(case.spent_minutes for case in page.object_list) / 60, 2),
        "filtered": filtered,
    }
    return render(request, "cases/tracker.html", context, status=200 if filterset.is_valid() else 400)


# --- Widgets rendered once ----------------------------------------------------------------
# A form widget is rendered by Django's widget templates, one template (and its includes)
# per check box or option: the filters' check boxes and the engineer lists cost more than
# the rest of a page. What a widget prints depends only on the language, the field's
# definition, its id and its value, so the HTML Django rendered is kept under those and
# reused. Only widgets without errors (and never a form with data) are kept.
_RENDERED_WIDGETS: dict[tuple[Any, ...], Any] = {}
_RENDERED_WIDGETS_MAX = 512


def _remember_widget(key: tuple[Any, ...], render: Callable[[], Any]) -> Any:
    widget = _RENDERED_WIDGETS.get(key)
    if widget is None:
        if len(_RENDERED_WIDGETS) >= _RENDERED_WIDGETS_MAX:
            _RENDERED_WIDGETS.clear()
        widget = _RENDERED_WIDGETS[key] = render()
    return widget


def _field_key(field: Any, choices: Any) -> tuple[Any, ...]:
    widget = field.field.widget
    return (
        get_language(),
        # Classes by name: django-filter makes new form (and widget) classes per filter set.
        f"{type(field.form).__module__}.{type(field.form).__qualname__}",
        field.name,
        field.html_name,
        field.auto_id,
        str(field.value()),
        field.field.required,
        field.field.disabled,
        str(field.help_text),
        field.form.use_required_attribute,
        f"{type(widget).__module__}.{type(widget).__qualname__}",
        repr(sorted(widget.attrs.items())),
        tuple((str(value), str(label)) for value, label in choices),
    )


def _kept(field: Any, choices: Any) -> _RenderedField:
    """``field``, printing the widget Django rendered for the same key before."""
    return _RenderedField(field, _remember_widget(_field_key(field, choices), lambda: str(field)))


def _filter_fields(form: Any, names: list[str]) -> list[tuple[Any, Any]]:
    """``(bound field, what prints its widget)`` for cases/_filters.html (the field
    itself prints the kept widget too, for includes/field.html)."""
    pairs = []
    for name in names:
        field = form[name]
        widget: Any = field
        choice = isinstance(field.field, forms.ChoiceField) and not isinstance(field.field, forms.ModelChoiceField)
        if choice and not field.errors:
            # Fixed choices (status, severity, tier, request type, ordering): the same
            # widget for every request in a language with the same ones chosen.
            field = _kept(field, field.field.choices)
            widget = str(field)
        pairs.append((field, widget))
    return pairs


class _RenderedField:
    """A bound field whose widget is already rendered (by Django, see
    :func:`_assignee_field`): includes/field.html reads the field's label, errors and ids
    from the field itself and prints this HTML for ``{{ field }}``."""

    def __init__(self, field: Any, widget: Any) -> None:
        self._field = field
        self._widget = widget

    def __getattr__(self, name: str) -> Any:
        return getattr(self._field, name)

    def __str__(self) -> str:
        return self._widget


class _FreshForm:
    """An empty (unbound) form of a case page whose fields print widgets rendered by
    Django once per language, field definition and initial value, then reused. A form
    with data (re-rendered with its errors) is never wrapped."""

    def __init__(self, form: Any) -> None:
        self._form = form

    def __getattr__(self, name: str) -> Any:
        return getattr(self._form, name)

    def __iter__(self) -> Any:
        return iter(self._form)

    def __str__(self) -> str:
        return str(self._form)

    def __getitem__(self, name: str) -> Any:
        field = self._form[name]
        if isinstance(field.field, forms.ModelChoiceField):
            return field  # its choices come from the database: see _assignee_field
        return _kept(field, getattr(field.field, "choices", ()))


def _fresh(form: Any) -> Any:
    return form if form.is_bound else _FreshForm(form)


def _assignee_field(field: Any) -> Any:
    """An engineer list (the dashboard's bulk form, the workspace's assignment): read
    once (one query, as before), rendered by Django's select widget once per language,
    list of engineers and choice, then reused."""
    if field.errors:
        return field
    chooser = field.field
    # The choice field's own iterator reads with .iterator(): on PostgreSQL a server-side
    # cursor (DECLARE … WITH HOLD, FETCH, CLOSE) for a list of a few dozen people.
    iterator = chooser.iterator(chooser)
    choices = [("", chooser.empty_label)] if chooser.empty_label is not None else []
    choices += [iterator.choice(person) for person in chooser.queryset]
    key = _field_key(field, choices)

    def render() -> Any:
        select = copy.copy(field.field.widget)
        select.choices = choices
        return field.as_widget(widget=select)

    return _RenderedField(field, _remember_widget(key, render))


def _field_row(field: Any, *, hide_optional: bool = False) -> Any:
    """What ``{% include "includes/field.html" with field=field %}`` prints: for a field
    that prints a kept widget (see :class:`_FreshForm`, :func:`_assignee_field`), kept as
    well (the widget's key, its HTML, label and the flag tell all the row prints); for a
    form with data (its errors beside the fields), rendered each time."""

    def render() -> Any:
        return get_template("includes/field.html").render({"field": field, "hide_optional": hide_optional})

    if not isinstance(field, _RenderedField):
        return render()
    key = ("row", *_field_key(field, ()), str(field), str(field.label), hide_optional)
    return _remember_widget(key, render)


class _FieldRows:
    """``{{ rows.name }}`` in a template: :func:`_field_row` of the form's field ``name``."""

    def __init__(self, form: Any) -> None:
        self._form = form

    def __getitem__(self, name: str) -> Any:
        return _field_row(self._form[name])


def _detail_context(request: HttpRequest, case: Case, *, alert: str = "", **forms: Any) -> dict[str, Any]:
    user = request.user
    customer = is_case_customer(user, case)
    context: dict[str, Any] = {
        "case": case,
        "moments": case_moments(case),
        "alert": alert,
        "is_customer": customer,
        "staff_viewer": is_staff(user),
        # The customer's page shows what the customer sees, to staff as well.
        "thread": thread_rows(user, case, public_only=True),
        "timeline": timeline_rows(events_visible_to(user, case).filter(public=True)),
        "case_files": list(case_files_visible_to(user, case).filter(internal=False)),
        "can_reopen": customer and can_still_reopen(case),
        "reply_form": _fresh(forms.get("reply_form") or ReplyForm(auto_id=REPLY_ID)),
        "withdraw_form": _fresh(forms.get("withdraw_form") or WithdrawForm(auto_id=WITHDRAW_ID)),
        "reopen_form": _fresh(forms.get("reopen_form") or ReopenForm(auto_id=REOPEN_ID)),
    }
    # The forms' fields as includes/field.html prints them (see _field_row).
    context.update(
        withdraw_fields=_FieldRows(context["withdraw_form"]),
        reopen_fields=_FieldRows(context["reopen_form"]),
    )
    return context


def _workspace_context(request: HttpRequest, case: Case, *, alert: str = "", **forms: Any) -> dict[str, Any]:
    user = request.user
    can_work = can_work_case(user)
    context: dict[str, Any] = {
        "case": case,
        "moments": case_moments(case),
        "alert": alert,
        "workspace": True,
        "can_work": can_work,
        "thread": thread_rows(user, case),
        "timeline": timeline_rows(events_visible_to(user, case)),
        "case_files": list(case_files_visible_to(user, case)),
        "time_entries": time_entry_rows(case),
        "can_reopen": can_work and can_still_reopen(case),
        "message_form": _fresh(forms.get("message_form") or WorkspaceMessageForm(auto_id=MESSAGE_ID)),
        "reopen_form": _fresh(forms.get("reopen_form") or ReopenForm(auto_id=REOPEN_ID)),
    }
    if can_work:
        consultation = case.request_type == RequestType.CONSULTATION
        context.update(
            info_form=_fresh(forms.get("info_form") or BodyForm(auto_id=INFO_ID)),
            solution_form=_fresh(forms.get("solution_form") or BodyForm(auto_id=SOLUTION_ID)),
            assign_form=forms.get("assign_form")
            or AssignForm(actor=user, auto_id=ASSIGN_ID, initial={"assignee": case.assignee_id}),
            tier_form=_fresh(
                forms.get("tier_form") or TierForm(auto_id=TIER_ID, initial={"tier": _next_tier(case.tier)})
            ),
            time_form=_fresh(forms.get("time_form") or TimeForm(auto_id=TIME_ID, initial={"billable": consultation})),
        )
        if not case.is_closed:
            context["assign_row"] = _field_row(_assignee_field(context["assign_form"]["assignee"]), hide_optional=True)
    # The forms' fields as includes/field.html prints them (see _field_row).
    for name in ("reopen", "info", "solution", "tier", "time"):
        if f"{name}_form" in context:
            context[f"{name}_fields"] = _FieldRows(context[f"{name}_form"])
    return context


def _next_tier(tier: str) -> str:
    """The tier a hand-over most likely goes to: the next one up (L4 stays L4)."""
    tiers = list(Tier.values)
    return tiers[min(tiers.index(tier) + 1, len(tiers) - 1)] if tier in tiers else tiers[0]


def _render_case(
    request: HttpRequest, case: Case, page: str, *, status: int = 200, alert: str = "", **forms: Any
) -> HttpResponse:
    if page == WORKSPACE:
        return render(
            request, "cases/workspace.html", _workspace_context(request, case, alert=alert, **forms), status=status
        )
    return render(request, "cases/detail.html", _detail_context(request, case, alert=alert, **forms), status=status)


def _case_url(case: Case, page: str) -> str:
    return reverse("cases:workspace" if page == WORKSPACE else "cases:detail", args=[case.number])


def _conflict(request: HttpRequest, case: Case, page: str, conflict: Conflict) -> HttpResponse:
    """The case's state forbids the action: say so on the case page (409)."""
    if request.htmx:
        # htmx swaps no 409: show the message on a fresh copy of the page instead.
        messages.error(request, str(conflict))
        response = HttpResponse(status=409)
        response["HX-Refresh"] = "true"
        return response
    fresh = get_case_for(request.user, case.number)
    return _render_case(request, fresh, page, status=409, alert=str(conflict))


def _act(
    request: HttpRequest,
    case: Case,
    *,
    page: str,
    form_name: str,
    form: Any,
    action: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate ``form``, call the service (``action``), and answer: back to the case
    with ``done`` as a message, the page with the errors beside the form (400), or the
    page with the conflict (409). PermissionDenied goes on to the 403 page."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            return _conflict(request, case, page, conflict)
        else:
            messages.success(request, done)
            return redirect(_case_url(case, page))
    return _render_case(request, case, page, status=400, **{form_name: form})


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    return _render_case(request, case, DETAIL)


def _thread_swap(request: HttpRequest, number: str, page: str) -> HttpResponse:
    """htmx: the updated thread, plus (out of band) a fresh form, the facts, the
    timeline and the message region."""
    case = get_case_for(request.user, number)
    if page == WORKSPACE:
        context = _workspace_context(request, case)
    else:
        context = _detail_context(request, case)
    context["oob"] = True
    return render(request, f"cases/_{page}_thread_swap.html", context)


def _post_message(
    request: HttpRequest, number: str, *, page: str, form: ReplyForm | WorkspaceMessageForm, form_name: str
) -> HttpResponse:
    case = get_case_for(request.user, number)
    if form.is_valid():
        internal = getattr(form, "internal", False)
        try:
            add_message(
                case=case,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=internal,
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            return _conflict(request, case, page, conflict)
        else:
            if internal:
                messages.success(request, _("Your internal note has been saved."))
            else:
                messages.success(request, _("Your message has been added to the case."))
            if request.htmx:
                return _thread_swap(request, number, page)
            return redirect(_case_url(case, page))
    if request.htmx:
        template = "cases/_reply_form.html" if page == DETAIL else "cases/_message_form.html"
        response = render(request, template, {"case": case, form_name: form}, status=_invalid_status(request))
        response["HX-Retarget"] = "#reply-form" if page == DETAIL else "#message-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return _render_case(request, case, page, status=400, **{form_name: form})


@login_required
@require_POST
def case_reply(request: HttpRequest, number: str) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES, auto_id=REPLY_ID)
    return _post_message(request, number, page=DETAIL, form=form, form_name="reply_form")


def _page_for(request: HttpRequest) -> str:
    """Where a customer-or-staff action returns: staff to their workspace."""
    return WORKSPACE if is_staff(request.user) else DETAIL


class _EmptyForm:
    """A form with nothing to fill in (the confirm button)."""

    cleaned_data: dict[str, Any] = {}

    def is_valid(self) -> bool:
        return True


@login_required
@require_POST
def case_confirm(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    return _act(
        request,
        case,
        page=DETAIL,
        form_name="confirm_form",
        form=_EmptyForm(),
        action=lambda data: confirm_solution(case=case, actor=request.user),
        done=_("Thank you for confirming the solution. The case is now closed."),
    )


@login_required
@require_POST
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    return _act(
        request,
        case,
        page=DETAIL,
        form_name="withdraw_form",
        form=WithdrawForm(request.POST, auto_id=WITHDRAW_ID),
        action=lambda data: withdraw_case(case=case, actor=request.user, reason=data["reason"]),
        done=_("The case has been withdrawn and closed."),
    )


@login_required
@require_POST
def case_reopen(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    return _act(
        request,
        case,
        page=_page_for(request),
        form_name="reopen_form",
        form=ReopenForm(request.POST, auto_id=REOPEN_ID),
        action=lambda data: reopen_case(case=case, actor=request.user, reason=data["reason"]),
        done=_("The case has been reopened."),
    )


@login_required
def billing(request: HttpRequest, pk: int) -> HttpResponse:
    """Billable hours of one organization in one month (members and staff only)."""
    if not can_see_billing(request.user, pk):
        raise Http404
    organization = get_object_or_404(Organization, pk=pk)
    this_month = timezone.now().astimezone(zoneinfo.ZoneInfo(organization.timezone)).strftime("%Y-%m")
    form = BillingMonthForm({"month": request.GET.get("month") or this_month}, auto_id="id_%s")
    context: dict[str, Any] = {"organization": organization, "form": form}
    if not form.is_valid():
        return render(request, "cases/billing.html", context, status=400)
    year, month = form.cleaned_data["month"]
    statement = billing_statement(organization=organization, year=year, month=month)
    context.update(
        statement=statement,
        lines=[(line, _request_type_label(line.request_type)) for line in statement.lines],
        previous_month=f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}",
        next_month=f"{year + (month == 12):04d}-{month % 12 + 1:02d}",
        csv_url=reverse("api-organization-billing", args=[organization.pk])
        + "?"
        + urlencode({"month": statement.month, "format": "csv"}),
    )
    return render(request, "cases/billing.html", context)


def _request_type_label(value: str) -> str:
    return str(RequestType(value).label) if value in RequestType.values else value


# --- Staff: dashboard and bulk assign -----------------------------------------------------

DASHBOARD_FILTERS = ["q", "status", "severity", "tier", "request_type", "customer_number"]


def _dashboard_context(request: HttpRequest, params: QueryDict, **extra: Any) -> dict[str, Any]:
    user = request.user
    queue = params.get("queue") if params.get("queue") in QUEUES else Queue.OPEN
    filterset = CaseListFilter(params, queryset=staff_queue(user, queue))
    try:
        page = max(1, min(int(params.get("page", "1")), MAX_PAGE))
    except ValueError:
        page = 1
    rows, has_next = page_window(list_columns(edown_first(filterset.qs)), page, PER_PAGE)
    counts = {
        Queue.MINE: bounded_count(staff_queue(user, Queue.MINE)),
        Queue.UNASSIGNED: bounded_count(staff_queue(user, Queue.UNASSIGNED)),
    }
    can_work = can_work_case(user)
    bulk_form = (extra.get("bulk_form") or BulkAssignForm(actor=user, auto_id="bulk_%s")) if can_work else None
    context = {
        "queue": queue,
        "keep": [("queue", queue)],
        "queues": [(name, _queue_label(name), counts.get(name)) for name in QUEUES],
        "filterset": filterset,
        "filter_fields": _filter_fields(filterset.form, DASHBOARD_FILTERS),
        "filters_valid": filterset.is_valid(),
        "cases": rows,
        "rows": queue_rows(rows, picked=bulk_form["cases"].value() if bulk_form is not None else None),
        "edown_on_page": sum(1 for case in rows if case.severity_rank == 0),
        "page": page,
        "has_next": has_next,
        "params": params,
        "can_work": can_work,
        "return_to": reverse("cases:dashboard") + ("?" + params.urlencode() if params else ""),
    }
    if bulk_form is not None:
        context["bulk_form"] = bulk_form
        context["assignee_field"] = _assignee_field(bulk_form["assignee"])
    context["alert"] = extra.get("alert", "")
    return context


def _queue_label(queue: str) -> str:
    labels = {
        Queue.OPEN: _("Open"),
        Queue.UNASSIGNED: _("Unassigned"),
        Queue.MINE: _("Mine"),
        Queue.WAITING: _("Waiting on customer"),
        Queue.EDOWN: _("Enterprise Down"),
        Queue.SLA: _("SLA at risk / breached"),
        Queue.ESCALATED: _("Escalated to me"),
        Queue.ALL: _("All cases"),
    }
    return labels.get(queue, queue)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    context = _dashboard_context(request, request.GET)
    return render(request, "cases/dashboard.html", context, status=200 if context["filters_valid"] else 400)


def _dashboard_return(request: HttpRequest, value: str | None) -> str:
    """The dashboard URL (with its filters) a bulk action goes back to; nothing else."""
    dashboard_url = reverse("cases:dashboard")
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        parts = urlsplit(value)
        if not parts.scheme and not parts.netloc and parts.path == dashboard_url:
            return dashboard_url + ("?" + parts.query if parts.query else "")
    return dashboard_url


@login_required
@require_POST
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    back = _dashboard_return(request, request.POST.get("next"))
    form = BulkAssignForm(request.POST, actor=request.user, auto_id="bulk_%s")
    if form.is_valid():
        cases = [get_case_for(request.user, number) for number in form.cleaned_data["cases"]]
        assignee = form.cleaned_data["assignee"]
        try:
            changed = bulk_assign(cases=cases, actor=request.user, assignee=assignee)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            params = QueryDict(urlsplit(back).query)
            context = _dashboard_context(request, params, bulk_form=form, alert=str(conflict))
            return render(request, "cases/dashboard.html", context, status=409)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d case assigned to %(name)s.",
                    "%(count)d cases assigned to %(name)s.",
                    changed,
                )
                % {"count": changed, "name": assignee.display_name},
            )
            return redirect(back)
    params = QueryDict(urlsplit(back).query)
    context = _dashboard_context(request, params, bulk_form=form)
    return render(request, "cases/dashboard.html", context, status=400)


# --- Staff: the case workspace ------------------------------------------------------------


def _staff_case(request: HttpRequest, number: str) -> Case:
    _require_staff(request)
    return get_case_for(request.user, number)


@login_required
def workspace(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _render_case(request, case, WORKSPACE)


@login_required
@require_POST
def workspace_message(request: HttpRequest, number: str) -> HttpResponse:
    _require_staff(request)
    form = WorkspaceMessageForm(request.POST, request.FILES, auto_id=MESSAGE_ID)
    return _post_message(request, number, page=WORKSPACE, form=form, form_name="message_form")


@login_required
@require_POST
def workspace_request_info(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="info_form",
        form=BodyForm(request.POST, auto_id=INFO_ID),
        action=lambda data: request_info(case=case, actor=request.user, body=data["body"]),
        done=_("The customer has been asked for information. The case now waits on them."),
    )


@login_required
@require_POST
def workspace_propose_solution(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="solution_form",
        form=BodyForm(request.POST, auto_id=SOLUTION_ID),
        action=lambda data: propose_solution(case=case, actor=request.user, body=data["body"]),
        done=_("The solution has been sent to the customer for confirmation."),
    )


@login_required
@require_POST
def workspace_assign(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="assign_form",
        form=AssignForm(request.POST, actor=request.user, auto_id=ASSIGN_ID),
        action=lambda data: assign_case(case=case, actor=request.user, assignee=data["assignee"]),
        done=_("The assignment has been saved."),
    )


@login_required
@require_POST
def workspace_tier(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="tier_form",
        form=TierForm(request.POST, auto_id=TIER_ID),
        action=lambda data: change_tier(case=case, actor=request.user, tier=data["tier"], note=data["note"]),
        done=_("The case has been handed over."),
    )


@login_required
@require_POST
def workspace_time(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="time_form",
        form=TimeForm(request.POST, auto_id=TIME_ID),
        action=lambda data: log_time(
            case=case, actor=request.user, minutes=data["minutes"], billable=data["billable"], note=data["note"]
        ),
        done=_("The time has been logged."),
    )


# --- Staff: the phone desk ----------------------------------------------------------------


@login_required
def phone_desk(request: HttpRequest) -> HttpResponse:
    """Find the caller, then log the case they describe in their name."""
    _require_staff(request)
    search = CustomerSearchForm(request.GET, auto_id="search_%s")
    query = search.cleaned_data["q"] if search.is_valid() else ""
    customer = get_phone_customer(request.GET.get("customer"))
    context: dict[str, Any] = {
        "search": search,
        "query": query,
        "customers": list(find_customers(query=query)) if query and customer is None else [],
        "customer": customer,
    }
    if customer is None:
        if request.method == "POST":
            context["alert"] = _("Find and choose the customer who is calling first.")
            return render(request, "cases/phone_desk.html", context, status=400)
        return render(request, "cases/phone_desk.html", context)

    organizations = list(organizations_of(customer))
    options = {"organizations": organizations, "active": active_organization_for(customer), "auto_id": "id_%s"}
    if request.method != "POST":
        context["form"] = PhoneLogForm(**options)
        return render(request, "cases/phone_desk.html", context)
    form = PhoneLogForm(request.POST, request.FILES, **options)
    context["form"] = form
    if form.is_valid():
        try:
            case = log_case(actor=request.user, requester=customer, channel=Channel.PHONE, **form.case_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s has been logged for %(name)s. A confirmation e-mail is on its way to them.")
                % {"number": case.number, "name": customer.display_name},
            )
            return redirect("cases:workspace", number=case.number)
    return render(request, "cases/phone_desk.html", context, status=400)
