"""Browser pages for severity changes, management escalation, Enterprise Down, feedback
and SPR links, and the managers' "Escalated to me" list.

The forms live on the case page (customers) and in the workspace (staff), through the
hooks filled by ``escalation/templatetags/escalation_pages.py``; the views here take
their posts and answer the way ``cases.views`` does. Every view: parse with a form, fetch
through ``get_case_for`` (404 for a case that is missing or not the user's), check the
permission, call one service, then redirect with a message or render:
``ValidationError`` → the errors beside the fields (400; 422 under htmx, which swaps the
form in place), ``PermissionDenied`` → 403, ``Conflict`` → the message on the case page
(409; under htmx a refresh that shows it).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.forms import add_service_errors
from cases.models import Case, Channel, Severity, Status
from cases.permissions import can_work_case, is_case_customer, is_staff
from cases.selectors import get_case_for
from cases.services.severity import change_severity
from cases.views import (
    DETAIL,
    WORKSPACE,
    _case_url,
    _conflict,
    _detail_context,
    _invalid_status,
    _page_for,
    _workspace_context,
)
from casetracker.errors import Conflict

from .forms import EnterpriseDownForm, EscalateForm, FeedbackForm, SeverityForm, SprForm, add_declaration_errors
from .permissions import can_declare_enterprise_down, can_see_escalation_queue
from .selectors import escalations_of, escalations_routed_to
from .services import (
    acknowledge_escalation,
    declare_enterprise_down,
    enterprise_down_refusals,
    escalate_case,
    link_spr,
    submit_feedback,
)
from .templatetags.escalation_pages import ESCALATE_ID, SEVERITY_ID, SPR_ID

PER_PAGE = 25
EDOWN_ID = "id_%s"
FEEDBACK_ID = "id_%s"
# An Acknowledge button on the managers' list says so (``next=mine``) to come back to
# it; anywhere else it returns to the case's workspace.
BACK_TO_LIST = "mine"

FORM_PARTIALS = {
    "severity_form": "escalation/_severity_form.html",
    "escalate_form": "escalation/_escalate_form.html",
    "spr_form": "escalation/_spr_form.html",
}


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        # htmx would swap a followed redirect into the form: have the browser go there.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _case_page_with(request: HttpRequest, case: Case, page: str, *, status: int, **forms: Any) -> HttpResponse:
    """The case page (or workspace) again, with ``forms`` showing their errors; under
    htmx only the form, swapped in place."""
    if request.htmx:
        ((name, form),) = forms.items()
        context = {"case": case, name: form, "workspace": page == WORKSPACE}
        return render(request, FORM_PARTIALS[name], context, status=_invalid_status(request))
    if page == WORKSPACE:
        context = _workspace_context(request, case)
        template = "cases/workspace.html"
    else:
        context = _detail_context(request, case)
        template = "cases/detail.html"
    context.update(forms)
    return render(request, template, context, status=status)


def _act(
    request: HttpRequest,
    case: Case,
    *,
    page: str,
    form_name: str,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """Validate ``form``, call the service (``action``), and answer: back to the case with
    ``done(result)`` as a message, or as the module docstring says."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            return _conflict(request, case, page, conflict)
        else:
            return _done(request, _case_url(case, page), done(result))
    return _case_page_with(request, case, page, status=400, **{form_name: form})


# --- Severity and escalation, from the case page or the workspace --------------------------


@login_required
@require_POST
def severity(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    staff = is_staff(request.user)
    return _act(
        request,
        case,
        page=_page_for(request),
        form_name="severity_form",
        form=SeverityForm(request.POST, auto_id=SEVERITY_ID),
        action=lambda data: change_severity(
            case=case,
            actor=request.user,
            severity=data["severity"],
            reason=data["reason"],
            channel=Channel.PHONE if staff else Channel.WEB,
        ),
        done=lambda changed: (
            _("The severity is now %(severity)s. The assigned engineer has been told.")
            % {"severity": changed.get_severity_display()}
        ),
    )


@login_required
@require_POST
def escalate(request: HttpRequest, number: str) -> HttpResponse:
    """A customer's one web escalation, or staff recording one made by phone."""
    case = get_case_for(request.user, number)
    channel = Channel.PHONE if is_staff(request.user) else Channel.WEB
    return _act(
        request,
        case,
        page=_page_for(request),
        form_name="escalate_form",
        form=EscalateForm(request.POST, auto_id=ESCALATE_ID),
        action=lambda data: escalate_case(case=case, actor=request.user, reason=data["reason"], channel=channel),
        done=lambda escalation: (
            _("The case has been escalated to %(level)s. %(manager)s has been told.")
            % {"level": escalation.level, "manager": escalation.manager.display_name}
        ),
    )


@login_required
@require_POST
def spr(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_for(request.user, number)
    if not can_work_case(request.user):
        raise PermissionDenied(_("Only support engineers link an SPR."))
    return _act(
        request,
        case,
        page=WORKSPACE,
        form_name="spr_form",
        form=SprForm(request.POST, auto_id=SPR_ID),
        action=lambda data: link_spr(
            case=case, actor=request.user, spr_number=data["spr_number"], escalated=data["escalated"]
        ),
        done=lambda linked: _("SPR %(spr)s has been linked to the case.") % {"spr": linked.spr_number},
    )


# --- Enterprise Down ----------------------------------------------------------------------


def _user_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(request.user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _edown_page(
    request: HttpRequest,
    case: Case,
    *,
    form: EnterpriseDownForm | None = None,
    refusals: list[str] | None = None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    staff = is_staff(request.user)
    if request.method == "POST" and request.htmx and status in (403, 409):
        # htmx swaps no 403/409: a fresh copy of the page says why (it checks the same).
        response = HttpResponse(status=status)
        response["HX-Refresh"] = "true"
        return response
    context = {
        "case": case,
        "form": form,
        "refusals": refusals or [],
        "alert": alert,
        "staff": staff,
        "back_url": _case_url(case, WORKSPACE if staff else DETAIL),
    }
    if form is not None and request.htmx and status == 400:
        return render(request, "escalation/_edown_form.html", context, status=_invalid_status(request))
    return render(request, "escalation/edown.html", context, status=status)


def _edown_blocked(case: Case) -> str:
    if case.status == Status.CLOSED:
        return _("This case is closed. Reopen it or log a new case before declaring Enterprise Down.")
    if case.severity == Severity.ENTERPRISE_DOWN:
        return _("Enterprise Down is already declared on this case.")
    return ""


@login_required
def edown(request: HttpRequest, number: str) -> HttpResponse:
    """The Enterprise Down questionnaire: customers of the case's organization declare it
    on the web; staff declare it for them after a call."""
    case = get_case_for(request.user, number)
    if not can_declare_enterprise_down(request.user, case):
        raise PermissionDenied(_("You may not declare Enterprise Down on this case."))
    refusals = enterprise_down_refusals(case)
    if refusals:
        return _edown_page(request, case, refusals=refusals, status=403)
    blocked = _edown_blocked(case)
    if blocked:
        return _edown_page(request, case, alert=blocked, status=409 if request.method == "POST" else 200)
    staff = is_staff(request.user)
    if request.method != "POST":
        return _edown_page(request, case, form=EnterpriseDownForm(auto_id=EDOWN_ID, tz=_user_zone(request)))
    form = EnterpriseDownForm(request.POST, auto_id=EDOWN_ID, tz=_user_zone(request))
    if form.is_valid():
        try:
            declare_enterprise_down(
                case=case,
                actor=request.user,
                channel=Channel.PHONE if staff else Channel.WEB,
                **form.declaration(),
            )
        except ValidationError as error:
            add_declaration_errors(form, error)
        except PermissionDenied as denied:
            return _edown_page(request, case, refusals=[str(denied)], status=403)
        except Conflict as conflict:
            return _edown_page(request, case, alert=str(conflict), status=409)
        else:
            return _done(
                request,
                _case_url(case, WORKSPACE if staff else DETAIL),
                _(
                    "Enterprise Down has been declared on case %(number)s. Support works on it 24x7 until there "
                    "is a working system or steady progress."
                )
                % {"number": case.number},
            )
    return _edown_page(request, case, form=form, status=400)


# --- Feedback -----------------------------------------------------------------------------


@login_required
def feedback(request: HttpRequest, number: str) -> HttpResponse:
    """The feedback form: a word to support management, escalating one level if asked."""
    case = get_case_for(request.user, number)
    if not is_case_customer(request.user, case):
        raise PermissionDenied(_("Only the customer can send feedback on a case."))
    form = FeedbackForm(request.POST if request.method == "POST" else None, auto_id=FEEDBACK_ID)
    context: dict[str, Any] = {"case": case, "form": form, "alert": ""}
    if request.method != "POST":
        return render(request, "escalation/feedback.html", context)
    if form.is_valid():
        try:
            sent = submit_feedback(
                case=case,
                author=request.user,
                message=form.cleaned_data["message"],
                escalate=form.cleaned_data["escalate"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            context["alert"] = str(conflict)
            return render(request, "escalation/feedback.html", context, status=409)
        else:
            if sent.escalation is not None:
                message = _("Thank you: your feedback has been sent and the case has been escalated to %(level)s.") % {
                    "level": sent.escalation.level
                }
            else:
                message = _("Thank you: your feedback has been sent to support management.")
            return _done(request, _case_url(case, DETAIL), message)
    return render(request, "escalation/feedback.html", context, status=400)


# --- Managers: escalations routed to me ---------------------------------------------------


def _require_management(request: HttpRequest) -> None:
    user = request.user
    if not can_see_escalation_queue(user):
        raise PermissionDenied(_("This page is for support managers and directors."))


def _escalations_page(request: HttpRequest, *, alert: str = "", status: int = 200) -> HttpResponse:
    # Unacknowledged first on every database (PostgreSQL sorts NULLs last by default).
    escalations = escalations_routed_to(request.user).order_by(
        F("acknowledged_at").asc(nulls_first=True), "-created_at", "-id"
    )
    page = Paginator(escalations, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "escalations": list(page.object_list),
        "alert": alert,
        "back": BACK_TO_LIST,
    }
    return render(request, "escalation/mine.html", context, status=status)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    _require_management(request)
    return _escalations_page(request)


@login_required
@require_POST
def acknowledge(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    case = get_case_for(request.user, number)
    escalation = escalations_of(case.pk).filter(pk=pk).first()
    if escalation is None:
        raise Http404
    to_list = request.POST.get("next") == BACK_TO_LIST
    try:
        acknowledge_escalation(escalation=escalation, actor=request.user)
    except Conflict as conflict:
        if to_list:
            return _escalations_page(request, alert=str(conflict), status=409)
        return _conflict(request, case, WORKSPACE, conflict)
    return _done(
        request,
        reverse("escalation:mine") if to_list else _case_url(case, WORKSPACE),
        _("You have acknowledged the %(level)s escalation of case %(number)s.")
        % {"level": escalation.level, "number": case.number},
    )
