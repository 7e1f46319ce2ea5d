from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import LoginAttempt, Membership, Organization, User


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
