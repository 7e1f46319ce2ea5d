"""The quarantine page's three actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.models import Case, parse_case_number

from .selectors import user_by_email


class AttachForm(forms.Form):
    case = forms.CharField(
        label=gettext_lazy("Case number"),
        max_length=20,
        help_text=gettext_lazy("For example C-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_case(self) -> Case:
        value = self.cleaned_data["case"].strip().upper()
        pk = parse_case_number(value)
        case = Case.objects.filter(pk=pk).first() if pk is not None else None
        if case is None:
            raise forms.ValidationError(_("There is no case %(number)s.") % {"number": value})
        return case


class OpenCaseForm(forms.Form):
    requester = forms.EmailField(
        label=gettext_lazy("Customer's e-mail address"),
        help_text=gettext_lazy("The customer the case is logged for; they get the confirmation e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_requester(self) -> User:
        user = user_by_email(self.cleaned_data["requester"])
        if user is None or user.is_support_staff:
            raise forms.ValidationError(_("No customer has this e-mail address."))
        return user
