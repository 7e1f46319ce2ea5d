"""Browser forms for the case pages.

The forms only parse what the browser sent (types, required fields, choices); every rule
lives in the services, whose ``ValidationError`` is put back on these forms beside the
field it names (:func:`add_service_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Tier, User
from accounts.selectors import engineers

from .filters import CaseFilter
from .models import CASE_NUMBER_RE, RequestType, Severity
from .permissions import can_work_case
from .selectors import parse_month

# Enterprise Down is declared on an existing case, never chosen when logging one.
LOGGABLE_SEVERITIES = [(value, label) for value, label in Severity.choices if value != Severity.ENTERPRISE_DOWN]
MAX_BULK_CASES = 100


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: beside the field it names, or at
    the top of the form for anything the form has no field for."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def organization_label(organization: Organization) -> str:
    return f"{organization.customer_number} – {organization.name}"


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:  # type: ignore[override]
        return organization_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """``<input type="file" name="attachments" multiple>``: a list of uploads (maybe empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Screenshots, logs or files that show the problem. Never attach passwords or secrets."),
    )


# --- Logging a case -----------------------------------------------------------------------


class CaseLogForm(forms.Form):
    """The Case Logger (customers) and, as :class:`PhoneLogForm`, the phone desk."""

    organization = OrganizationChoiceField(
        queryset=Organization.objects.none(), label=_("Customer number"), empty_label=None
    )
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices, initial=RequestType.INCIDENT)
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=LOGGABLE_SEVERITIES,
        initial=Severity.MEDIUM,
        help_text=_("Enterprise Down is declared on an existing case, from the Case Tracker."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the case a short title.")},
        # As the title is typed, htmx asks the knowledge base for articles that may
        # already answer it (without JavaScript the field is a plain input).
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "hx-get": reverse_lazy("knowledge:suggest"),
                "hx-trigger": "input changed delay:400ms, keyup changed delay:400ms",
                "hx-target": "#kb-suggestions",
                "hx-include": "this",
                "hx-sync": "this:replace",
            }
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        error_messages={"required": _("Describe the problem or the request.")},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and the steps to reproduce it. Markdown is supported."),
    )
    attachments = attachments_field()

    def __init__(
        self,
        *args: Any,
        organizations: Sequence[Organization],
        active: Organization | None = None,
        always_show_organization: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(organizations) > 1 or (always_show_organization and organizations):
            field = self.fields["organization"]
            field.queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by("name")
            if active is not None:
                field.initial = active.pk
        else:
            # One organization (or none): the service uses the active one.
            del self.fields["organization"]

    def case_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "severity": data["severity"],
            "request_type": data["request_type"],
            "product": data["product"],
            "version": data["version"],
            "organization": data.get("organization"),
            "files": data["attachments"],
        }


class PhoneLogForm(CaseLogForm):
    """A case logged by staff for the customer on the phone: the requester is fixed."""

    def __init__(self, *args: Any, organizations: Sequence[Organization], **kwargs: Any) -> None:
        super().__init__(*args, organizations=organizations, always_show_organization=True, **kwargs)
        self.fields["severity"].help_text = _(
            "Enterprise Down is declared on the case right after it is logged, from the workspace."
        )
        self.fields["description"].help_text = _("What the customer reported, in their words.")


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the caller"),
        max_length=200,
        required=False,
        help_text=_("E-mail address, name or customer number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


# --- The case page ------------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        error_messages={"required": _("Write a message.")},
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown is supported. Never send a password: support staff will never ask for one."),
    )
    attachments = attachments_field()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the case withdrawn?"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the case be reopened?"),
        max_length=10_000,
        error_messages={"required": _("Say why the case is reopened.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- The staff workspace ------------------------------------------------------------------

PUBLIC = "public"
INTERNAL = "internal"


class WorkspaceMessageForm(forms.Form):
    """A reply to the customer or an internal note, chosen by the button pressed."""

    body = forms.CharField(
        label=_("Message"),
        error_messages={"required": _("Write a message.")},
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A reply is e-mailed to the customer; an internal note is seen by support staff only."),
    )
    attachments = attachments_field()
    visibility = forms.ChoiceField(
        choices=[(PUBLIC, _("Reply to the customer")), (INTERNAL, _("Internal note"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose “Send reply” or “Save internal note”.")},
    )

    @property
    def internal(self) -> bool:
        return self.cleaned_data["visibility"] == INTERNAL


class BodyForm(forms.Form):
    """Request information / propose a solution: a public message that changes status."""

    body = forms.CharField(
        label=_("Message to the customer"),
        error_messages={"required": _("Write a message.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(forms.Form):
    assignee = PersonChoiceField(
        queryset=User.objects.none(),
        label=_("Assign to"),
        required=False,
        empty_label=_("Nobody (unassigned)"),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset: QuerySet[User] = engineers()
        if can_work_case(actor):
            # Admins work cases too, without being in the engineers' list.
            queryset = (queryset | User.objects.filter(pk=actor.pk)).order_by("name", "email")
        self.fields["assignee"].queryset = queryset


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("Hand over to tier"), choices=Tier.choices)
    note = forms.CharField(
        label=_("Hand-over note"),
        error_messages={"required": _("Write a hand-over note for the next tier.")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done so far, and what the next tier should look at."),
    )


class TimeForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=24 * 60,
        error_messages={"required": _("Enter a whole number of minutes greater than zero.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    billable = forms.BooleanField(label=_("Billable"), required=False)
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)


class CaseNumbersField(forms.Field):
    """The case numbers ticked in a list (``name="cases"``, one value per box)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one case."),
        "invalid": _("“%(value)s” is not a case number."),
        "too_many": _("Select at most %(max)d cases at once."),
    }

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        numbers = list(dict.fromkeys(str(item).strip().upper() for item in value if str(item).strip()))
        for number in numbers:
            if not CASE_NUMBER_RE.match(number):
                raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": number[:20]})
        if len(numbers) > MAX_BULK_CASES:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"max": MAX_BULK_CASES})
        return numbers


class BulkAssignForm(forms.Form):
    cases = CaseNumbersField(label=_("Cases"))
    assignee = PersonChoiceField(
        queryset=User.objects.none(),
        label=_("Assign the selected cases to"),
        empty_label=_("Choose an engineer"),
        error_messages={"required": _("Choose the engineer to assign the cases to.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset: QuerySet[User] = engineers()
        if can_work_case(actor):
            queryset = (queryset | User.objects.filter(pk=actor.pk)).order_by("name", "email")
        self.fields["assignee"].queryset = queryset


# --- Billing ------------------------------------------------------------------------------


class BillingMonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}),
        help_text=_("YYYY-MM, e.g. 2026-11."),
    )

    def clean_month(self) -> tuple[int, int]:
        parsed = parse_month(self.cleaned_data["month"])
        if parsed is None:
            raise ValidationError(_("Give the month as YYYY-MM, e.g. 2026-11."), code="invalid")
        return parsed


# --- List filters (kept in the URL) -------------------------------------------------------


class CaseListFilter(CaseFilter):
    """:class:`CaseFilter` as the browser lists show it: the multiple-choice filters as
    groups of check boxes, the organization as a list of the customer's own, and, for
    staff, a customer number box."""

    MULTIPLE = ("status", "severity", "request_type", "tier", "escalation_level")

    customer_number = django_filters.CharFilter(
        field_name="organization__customer_number", lookup_expr="iexact", label=_("Customer number")
    )

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        organizations: Iterable[Organization] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        for name in self.MULTIPLE:
            self.filters[name].extra["widget"] = forms.CheckboxSelectMultiple
            # Columns of the case itself: no join can repeat a row, so no DISTINCT (which
            # would sort whole rows, text included, before the page is cut).
            self.filters[name].distinct = False
        self.filters["q"].extra["widget"] = forms.TextInput(attrs={"type": "search"})
        self.filters["customer_number"].extra["widget"] = forms.TextInput(attrs={"autocomplete": "off"})
        self.filters["ordering"].extra["empty_label"] = _("Most urgent / newest first")
        choices = [("", _("All my organizations"))] + [(o.pk, organization_label(o)) for o in organizations]
        self.filters["organization"].extra["widget"] = forms.Select(choices=choices)
