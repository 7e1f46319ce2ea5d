"""Browser pages for signing in and out, the profile and the organization switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import EmailAuthenticationForm, EmailPasswordResetForm, ProfileForm, SwitchOrganizationForm
from .login_throttle import begin_login_attempt, client_ip, finish_login_attempt
from .models import Organization
from .services import password_was_reset, switch_active_organization, update_preferences


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        email = (request.POST.get("username") or "").strip().lower()
        self.login_check = None
        if email:
            # Counted before the password is checked, atomically (accounts.login_throttle).
            self.login_check = begin_login_attempt(email=email, ip_address=client_ip(request), channel="web")
        if self.login_check is not None and self.login_check.wait is not None:
            wait = self.login_check.wait
            # An unbound form: rendering a bound one would validate it, i.e. check the
            # password, on an attempt that is being refused.
            form = self.get_form_class()(request, initial={"username": email})
            response = render(
                request,
                self.template_name,
                {"form": form, "throttled": True, "retry_after_minutes": max(1, wait // 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:
        if self.login_check is not None:
            finish_login_attempt(self.login_check, user=form.get_user())
        return super().form_valid(form)

    def form_invalid(self, form: EmailAuthenticationForm) -> HttpResponse:
        if self.login_check is not None:
            finish_login_attempt(self.login_check, user=None)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


# Password reset: ask for the address, get a one-time link by e-mail, choose a new
# password. The first page answers the same whether or not the address has an account.


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        password_was_reset(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        update_preferences(
            user=request.user,
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
            timezone=form.cleaned_data["timezone"],
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    form = SwitchOrganizationForm(request.POST)
    target = reverse("cases:home")
    if form.is_valid():
        next_url = form.cleaned_data.get("next") or ""
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            target = next_url
        organization = Organization.objects.filter(pk=form.cleaned_data["organization"]).first()
        try:
            if organization is None:
                raise ValidationError(_("You are not a member of this organization."))
            switch_active_organization(user=request.user, organization=organization, session=request.session)
            messages.success(request, _("You are now working for %(name)s.") % {"name": organization.name})
        except ValidationError:
            messages.error(request, _("You are not a member of this organization."))
    return HttpResponseRedirect(target)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: saved in the profile when signed in, in the
    language cookie otherwise; then back to the page the user was on."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("cases:home")
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Choose one of the offered languages."))
        return response
    if request.user.is_authenticated:
        update_preferences(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
