from django.contrib import admin

from .models import SlaTarget


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "severity", "first_response_minutes", "next_update_minutes", "clock"]
    list_filter = ["plan", "severity", "clock"]
    list_editable = ["first_response_minutes", "next_update_minutes", "clock"]
