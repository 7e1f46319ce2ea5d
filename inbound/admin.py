"""Inbound mail in the admin: read only (operators work the quarantine from the staff
pages); failing addresses can be cleared once fixed."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import FailingAddress, InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "source", "disposition", "reason", "case"]
    list_filter = ["disposition", "reason", "source"]
    search_fields = ["sender", "subject", "message_id"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in InboundMessage._meta.fields]
    list_select_related = ["case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "bounce_count", "last_bounce_at", "last_status", "first_bounce_at"]
    search_fields = ["email"]
    ordering = ["-last_bounce_at"]
    readonly_fields = [
        "email", "bounce_count", "first_bounce_at", "last_bounce_at", "last_status", "last_diagnostic", "last_report",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
