"""Browser forms for escalation, Enterprise Down, feedback and SPR links.

The forms parse what the browser sent and check what a person can correct on the spot
(required fields, numbers, "affected ≤ total", a moment in the past); every rule lives in
``escalation.services``, whose ``ValidationError`` is put back beside the field it names
(:func:`add_declaration_errors` for the E-Down questionnaire, whose contact person is one
nested ``contact`` object in the service and six flat fields here).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Severity
from cases.services.severity import CHANGEABLE

from .models import EDownCategory

SEVERITY_CHOICES = [(value, Severity(value).label) for value in CHANGEABLE]
CONTACT_FIELDS = ("name", "phone", "pager", "email", "on_site", "speaks_english")
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("New severity"),
        choices=SEVERITY_CHOICES,
        error_messages={"required": _("Choose a severity: critical, high, medium or low.")},
    )
    reason = forms.CharField(
        label=_("Why does the severity change?"),
        max_length=10_000,
        error_messages={"required": _("Say why the severity changes.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the case need management attention?"),
        max_length=10_000,
        error_messages={"required": _("Say why the case needs management attention.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Your feedback"),
        max_length=20_000,
        error_messages={"required": _("Write your feedback.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell support management what is going well or what is not. Never send a password."),
    )
    escalate = forms.BooleanField(
        label=_("Escalate this case to support management"),
        required=False,
        help_text=_("The case goes one management level up (M1: the engineer's manager; M2: second-level management)."),
    )


class SprForm(forms.Form):
    spr_number = forms.CharField(
        label=_("SPR number"),
        max_length=32,
        error_messages={"required": _("Enter the SPR number (up to 32 characters).")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    escalated = forms.BooleanField(label=_("The SPR has been escalated"), required=False)


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read in the person's own time zone (``tz``), whatever
    zone the request happens to run in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}, format=LOCAL_INPUT_FORMAT)
        )
        super().__init__(*args, **kwargs)
        self.tz: datetime.tzinfo | None = None

    def to_python(self, value: Any) -> datetime.datetime | None:
        if self.tz is None:
            return super().to_python(value)
        with timezone.override(self.tz):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and self.tz is not None and timezone.is_aware(value):
            return value.astimezone(self.tz).replace(tzinfo=None)
        return super().prepare_value(value)


CATEGORY_HINTS = {
    EDownCategory.USERS_CANNOT_ACCESS: _("Nobody, or almost nobody, can work with the server software."),
    EDownCategory.SERVER_UNRESPONSIVE: _("The server hangs or crashes again and again."),
    EDownCategory.VENDORS_CANNOT_ACCESS: _("Your suppliers are locked out, not for minutes but for a long time."),
    EDownCategory.USER_PRODUCTIVITY_LOSS: _("People can log in but get at most a fifth of their work done."),
    EDownCategory.SERVER_PERFORMANCE_LOSS: _("The server is so slow that at most a fifth of the work gets done."),
}


class EnterpriseDownForm(forms.Form):
    """The guide's Enterprise Down questionnaire, with the 24x7 contact person."""

    category = forms.ChoiceField(
        label=_("What is the reason for your call?"),
        choices=EDownCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five Enterprise Down categories.")},
        help_text=_("Support works 24x7 until there is a working system or steady progress."),
    )
    total_users = forms.IntegerField(
        label=_("How many users does this production system have in total?"),
        min_value=1,
        max_value=10_000_000,
        error_messages={"required": _("Enter the total number of users of this production system (at least 1).")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    affected_users = forms.IntegerField(
        label=_("How many of these users are affected by the problem?"),
        min_value=0,
        max_value=10_000_000,
        error_messages={"required": _("Enter how many users are affected (0 or more).")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    actions_taken = forms.CharField(
        label=_("What has been done to get the system working again?"),
        max_length=20_000,
        error_messages={"required": _("Say what was done to restore service (and any new contact details).")},
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("If any, include any new contact details since the work started."),
    )
    down_since = LocalDateTimeField(
        label=_("Since when is the system down?"),
        error_messages={
            "required": _("Give the date and time since when the system is down."),
            "invalid": _("Give the date and time since when the system is down."),
        },
    )
    contact_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        error_messages={"required": _("Name the 24x7 contact person.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        max_length=50,
        error_messages={"required": _("Give the contact person's phone number.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_pager = forms.CharField(
        label=_("Pager"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages={
            "required": _("Give the contact person's e-mail address."),
            "invalid": _("Enter a valid e-mail address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_on_site = forms.BooleanField(label=_("The contact person is on site"), required=False)
    contact_speaks_english = forms.BooleanField(
        label=_("The contact person speaks English"),
        required=False,
        help_text=_(
            "During the emergency the contact person must be reachable 24x7, on site or by pager, speak "
            "English, and know the software and the production environment: they gather data, run tests "
            "and apply fixes."
        ),
    )

    def __init__(self, *args: Any, tz: datetime.tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["down_since"]
        field.tz = tz
        field.help_text = _("Date and time in your time zone (%(zone)s).") % {"zone": tz}
        # The browser's picker offers nothing later than now, in the person's own zone.
        field.widget.attrs["max"] = timezone.now().astimezone(tz).strftime(LOCAL_INPUT_FORMAT)

    def category_options(self) -> list[tuple[Any, str]]:
        """Each category's radio button with its one-line explanation."""
        return [(radio, CATEGORY_HINTS.get(radio.data["value"], "")) for radio in self["category"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        total, affected = data.get("total_users"), data.get("affected_users")
        if total is not None and affected is not None and affected > total:
            self.add_error("affected_users", _("Affected users cannot exceed the total number of users."))
        down_since = data.get("down_since")
        if down_since is not None and down_since > timezone.now():
            self.add_error("down_since", _("“Down since” must be in the past."))
        return data

    def declaration(self) -> dict[str, Any]:
        """The service's keyword arguments (``declare_enterprise_down``)."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "total_users": data["total_users"],
            "affected_users": data["affected_users"],
            "actions_taken": data["actions_taken"],
            "down_since": data["down_since"],
            "contact": {name: data[f"contact_{name}"] for name in CONTACT_FIELDS},
        }


def _flatten(errors: Any, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """(path, messages) pairs of an error mapping that may nest (``contact`` → ``phone``)."""
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return
    if isinstance(errors, ValidationError):
        if hasattr(errors, "error_dict"):
            yield from _flatten(errors.error_dict, prefix)
        else:
            yield prefix, list(errors.messages)
        return
    items = errors if isinstance(errors, list | tuple) else [errors]
    messages: list[str] = []
    for item in items:
        if isinstance(item, ValidationError) and hasattr(item, "error_dict"):
            yield from _flatten(item.error_dict, prefix)
        elif isinstance(item, ValidationError):
            messages.extend(str(message) for message in item.messages)
        else:
            messages.append(str(item))
    if messages:
        yield prefix, messages


def _form_field_for(path: str, form: forms.BaseForm) -> str | None:
    """``contact.phone`` / ``contact_phone`` → ``contact_phone``; anything unknown → None."""
    name = path.replace(".", "_").replace("__", "_")
    return name if name in form.fields else None


def add_declaration_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError beside the E-Down field it names, the contact
    person's fields included; what names no field goes to the top of the form."""
    source: Any = error.error_dict if hasattr(error, "error_dict") else error
    for path, messages in _flatten(source):
        form.add_error(_form_field_for(path, form) if path else None, messages)
