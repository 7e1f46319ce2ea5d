"""Staff pages for inbound mail: the quarantine queue with its three actions, and one
stored mail shown decoded (text only: mail HTML is never rendered).

Thin views: a form parses, a service acts, the page redirects with a message; what the
services refuse is shown beside the form (400) or as the page's alert (409).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.forms import add_service_errors
from cases.permissions import is_staff
from casetracker.errors import Conflict

from .api import raw_mail_response
from .forms import AttachForm, OpenCaseForm
from .models import InboundMessage
from .selectors import get_inbound, inbound_for_case_message, original_of, quarantined_mail
from .services import attach_mail_to_case, discard_mail, open_case_from_held_mail

PER_PAGE = 25


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("This page is for support staff."))


def _forms_for(inbound: InboundMessage, **bound: Any) -> dict[str, Any]:
    return {
        # The case the mail claimed to answer, if any, is the likely target.
        "attach_form": bound.get("attach_form")
        or AttachForm(
            auto_id=f"attach_{inbound.pk}_%s", initial={"case": inbound.case.number} if inbound.case_id else None
        ),
        "open_case_form": bound.get("open_case_form") or OpenCaseForm(auto_id=f"open_{inbound.pk}_%s"),
    }


def _render_queue(request: HttpRequest, *, status: int = 200, alert: str = "", **bound: Any) -> HttpResponse:
    page = Paginator(quarantined_mail(), PER_PAGE).get_page(request.GET.get("page"))
    focus = bound.pop("focus", None)
    items = [
        {"mail": mail, **_forms_for(mail, **(bound if focus is not None and mail.pk == focus else {}))}
        for mail in page.object_list
    ]
    context = {
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "items": items,
        "alert": alert,
    }
    return render(request, "inbound/quarantine.html", context, status=status)


@login_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _render_queue(request)


@login_required
@require_GET
def original(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    inbound = get_inbound(pk)
    context = {"mail": inbound, "original": original_of(inbound), **_forms_for(inbound)}
    return render(request, "inbound/original.html", context)


@login_required
@require_GET
def raw(request: HttpRequest, pk: int) -> FileResponse:
    _require_staff(request)
    return raw_mail_response(get_inbound(pk))


@login_required
@require_GET
def message_original(request: HttpRequest, message_id: int) -> HttpResponse:
    """From a case message to the mail it came from."""
    _require_staff(request)
    return redirect("inbound:original", pk=inbound_for_case_message(message_id).pk)


def _act(request: HttpRequest, inbound: InboundMessage, form_name: str, form: Any, action: Any) -> HttpResponse:
    if form is not None and not form.is_valid():
        return _render_queue(request, status=400, focus=inbound.pk, **{form_name: form})
    try:
        done = action()
    except ValidationError as error:
        if form is None:
            return _render_queue(request, status=400, alert=" ".join(error.messages))
        add_service_errors(form, error)
        return _render_queue(request, status=400, focus=inbound.pk, **{form_name: form})
    except Conflict as error:
        return _render_queue(request, status=409, alert=str(error))
    messages.success(request, done)
    return redirect("inbound:quarantine")


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    inbound = get_inbound(pk)
    form = AttachForm(request.POST, auto_id=f"attach_{pk}_%s")

    def action() -> str:
        case = form.cleaned_data["case"]
        attach_mail_to_case(inbound=inbound, case=case, actor=request.user)
        return _("The e-mail has been added to case %(number)s.") % {"number": case.number}

    return _act(request, inbound, "attach_form", form, action)


@login_required
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    inbound = get_inbound(pk)
    form = OpenCaseForm(request.POST, auto_id=f"open_{pk}_%s")

    def action() -> str:
        done = open_case_from_held_mail(inbound=inbound, requester=form.cleaned_data["requester"], actor=request.user)
        return _("Case %(number)s has been logged from the e-mail.") % {"number": done.case.number}

    return _act(request, inbound, "open_case_form", form, action)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    inbound = get_inbound(pk)

    def action() -> str:
        discard_mail(inbound=inbound, actor=request.user)
        return _("The e-mail has been discarded.")

    return _act(request, inbound, "", None, action)
