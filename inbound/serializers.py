"""Output shapes of inbound mail (API.md "Inbound e-mail")."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from accounts.serializers import PersonSerializer

from .models import InboundMessage


class QuarantineItemSerializer(serializers.ModelSerializer):
    """A held mail as the quarantine list shows it: API.md's fields, plus the case the
    mail seemed to refer to (a number or null) and the reason in words."""

    case = serializers.SerializerMethodField()
    reason_detail = serializers.CharField(source="detail", read_only=True)

    class Meta:
        model = InboundMessage
        fields = ["id", "sender", "sender_name", "subject", "reason", "reason_detail", "received_at", "case"]
        read_only_fields = fields

    def get_case(self, inbound: InboundMessage) -> str | None:
        return inbound.case.number if inbound.case_id and inbound.case else None


class InboundMailSerializer(QuarantineItemSerializer):
    """Any stored mail: where it went and who handled it."""

    message = serializers.IntegerField(source="case_message_id", read_only=True, allow_null=True)
    handled_by = PersonSerializer(read_only=True, allow_null=True)
    original_url = serializers.SerializerMethodField()

    class Meta(QuarantineItemSerializer.Meta):
        fields = [
            *QuarantineItemSerializer.Meta.fields,
            "message_id",
            "source",
            "disposition",
            "size",
            "message",
            "handled_by",
            "handled_at",
            "original_url",
        ]
        read_only_fields = fields

    def get_original_url(self, inbound: InboundMessage) -> str:
        return reverse("api-mail-raw", args=[inbound.pk])


class HeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField()


class OriginalAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class OriginalMailSerializer(InboundMailSerializer):
    """The decoded original (staff only): headers, the full text, what was attached."""

    headers = HeaderSerializer(many=True, read_only=True)
    text = serializers.CharField(read_only=True)
    attachments = OriginalAttachmentSerializer(many=True, read_only=True)

    class Meta(InboundMailSerializer.Meta):
        fields = [*InboundMailSerializer.Meta.fields, "headers", "text", "attachments"]
        read_only_fields = fields


class WebhookResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    disposition = serializers.CharField()
    reason = serializers.CharField()
