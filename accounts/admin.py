from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import record_audit
from .login_throttle import begin_login_attempt, client_ip, finish_login_attempt
from .models import AuditAction, AuditEntry, LoginAttempt, Membership, Organization, User
from .services import audit_membership

# Fields of a user whose change alters what they may see or do: audited when changed here.
ACCESS_FIELDS = ["role", "tier", "manager", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "tier", "manager", "available", "is_active"]
    list_filter = ["role", "tier", "available", "is_active"]
    search_fields = ["email", "name"]
    autocomplete_fields = ["manager", "active_organization"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language", "timezone")}),
        (_("Support role"), {"fields": ("role", "tier", "manager", "available", "active_organization")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        changed = [field for field in ACCESS_FIELDS if field in form.changed_data]
        if change and changed:
            record_audit(
                AuditAction.USER_CHANGED,
                request=request,
                object_type="user",
                object_id=obj.pk,
                detail={"user": obj.email, "fields": changed, "via": "admin"},
            )

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        """Membership changes made in the admin leave rows in the security audit log."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        for membership in formset.deleted_objects:
            audit_membership(AuditAction.MEMBERSHIP_REMOVED, membership, request=request, via="admin")
            membership.delete()
        changed_ids = {membership.pk for membership, _fields in formset.changed_objects}
        for membership in saved:
            action = AuditAction.MEMBERSHIP_CHANGED if membership.pk in changed_ids else AuditAction.MEMBERSHIP_ADDED
            membership.save()
            audit_membership(action, membership, request=request, via="admin")
        formset.save_m2m()
        return None


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["customer_number", "name", "plan", "production", "maintenance_until", "country", "partner"]
    list_filter = ["plan", "production", "country"]
    search_fields = ["customer_number", "name"]
    autocomplete_fields = ["partner", "account_manager"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "email", "ip_address", "channel", "succeeded"]
    list_filter = ["succeeded", "channel"]
    search_fields = ["email", "ip_address"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The security audit log, read only: nobody adds, edits or deletes a row here."""

    list_display = ["at", "action", "actor_label", "object_type", "object_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id", "ip_address"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


_admin_login = admin.site.login


def throttled_admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin's login form checks passwords too: it is throttled and audited like
    the browser login and the token endpoint (accounts.login_throttle)."""
    email = (request.POST.get("username") or "").strip().lower() if request.method == "POST" else ""
    if not email:
        return _admin_login(request, extra_context)
    check = begin_login_attempt(email=email, ip_address=client_ip(request), channel="admin")
    if check.wait is not None:
        response = HttpResponse(
            gettext("Too many failed logins. Try again later."), status=429, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = str(check.wait)
        return response
    response = _admin_login(request, extra_context)
    signed_in = response.status_code == 302 and request.user.is_authenticated and request.user.email == email
    user = request.user if signed_in else None
    finish_login_attempt(check, user=user)
    return response


admin.site.login = throttled_admin_login  # type: ignore[method-assign]
