from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.translation import gettext_lazy as _

from .models import Language, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Invalid e-mail address or password."),
        "inactive": _("This account is inactive."),
    }


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]
        labels = {"name": _("Name")}


class SwitchOrganizationForm(forms.Form):
    organization = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class EmailPasswordResetForm(PasswordResetForm):
    """Asks for the address a reset link goes to; the mail goes through the outbox.

    The answer never tells whether the address has an account: the page after it says
    the same for every address. The link is built from ``settings.SITE_URL``, never from
    the request's ``Host`` (a forged host must not end up in a mail).
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def save(self, *args: object, token_generator=default_token_generator, **kwargs: object) -> int:  # type: ignore[no-untyped-def, override]
        """Queue one reset mail per active account with this address; returns how many."""
        from .services import send_password_reset

        return sum(
            send_password_reset(user=user, token_generator=token_generator)
            for user in self.get_users(self.cleaned_data["email"])
        )
