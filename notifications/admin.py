"""The outbox in the admin: read only, with one action that tries failed e-mails again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxEmail
from .services import retry_failed_emails


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    # A parked mail shows why in the list: the mail server's answer (550 ...) or what failed.
    list_display = ["to", "subject", "status", "attempts", "last_error", "created_at", "sent_at", "case_number"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject", "case_number"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]

    # What was sent is a record: nobody adds, edits or deletes it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        return False

    # Retrying is for whoever holds the model's change permission, even though the admin
    # never offers to change a row's content.
    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboxemail")

    @admin.action(description=_("Retry now (failed e-mails)"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        retried = retry_failed_emails(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d failed e-mail will be sent again.", "%(n)d failed e-mails will be sent again.", retried)
            % {"n": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
