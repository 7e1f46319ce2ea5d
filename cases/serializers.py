"""Output shapes of cases, messages and events (API.md "Cases")."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import OrganizationRefSerializer, PersonSerializer

from .models import Attachment, Case, CaseEvent, Message, TimeEntry


class DueSerializer(serializers.Serializer):
    first_response = serializers.DateTimeField(allow_null=True)
    next_update = serializers.DateTimeField(allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    due = serializers.SerializerMethodField()
    hours_spent = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "description",
            "organization",
            "requester",
            "assignee",
            "severity",
            "status",
            "request_type",
            "product",
            "version",
            "tier",
            "escalation_level",
            "channel",
            "created_at",
            "updated_at",
            "closed_at",
            "close_reason",
            "due",
            "billable_minutes",
            "hours_spent",
            "message_count",
            "spr_number",
            "spr_escalated",
        ]
        read_only_fields = fields

    @extend_schema_field(DueSerializer)
    def get_due(self, case: Case) -> dict:
        if case.status == "closed":
            return {"first_response": None, "next_update": None}
        return {"first_response": case.first_response_due_at, "next_update": case.next_update_due_at}

    def get_hours_spent(self, case: Case) -> float:
        return case.spent_hours


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return reverse("cases:attachment", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "body", "internal", "channel", "created_at", "attachments"]


class EventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "channel", "before", "after", "note", "created_at"]


class TimeEntrySerializer(serializers.ModelSerializer):
    engineer = PersonSerializer(read_only=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = TimeEntry
        fields = ["id", "case", "engineer", "minutes", "billable", "note", "created_at"]

    def get_case(self, entry: TimeEntry) -> str:
        return entry.case.number
