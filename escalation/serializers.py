from __future__ import annotations

from rest_framework import serializers

from accounts.serializers import PersonSerializer
from cases.serializers import CaseSerializer

from .models import EnterpriseDownDeclaration, Escalation, Feedback


class EscalationSerializer(serializers.ModelSerializer):
    manager = PersonSerializer(read_only=True)
    requested_by = PersonSerializer(read_only=True)
    acknowledged_by = PersonSerializer(read_only=True, allow_null=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "case",
            "level",
            "channel",
            "reason",
            "manager",
            "requested_by",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
        ]

    def get_case(self, escalation: Escalation) -> str:
        return escalation.case.number


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=50)
    pager = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    email = serializers.EmailField()
    on_site = serializers.BooleanField()
    speaks_english = serializers.BooleanField()


class EDownDeclarationSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField()
    declared_by = PersonSerializer(read_only=True)
    case = CaseSerializer(read_only=True)

    class Meta:
        model = EnterpriseDownDeclaration
        fields = [
            "id",
            "case",
            "category",
            "total_users",
            "affected_users",
            "actions_taken",
            "down_since",
            "contact",
            "declared_by",
            "channel",
            "created_at",
        ]

    def get_contact(self, declaration: EnterpriseDownDeclaration) -> dict:
        return {
            "name": declaration.contact_name,
            "phone": declaration.contact_phone,
            "pager": declaration.contact_pager,
            "email": declaration.contact_email,
            "on_site": declaration.contact_on_site,
            "speaks_english": declaration.contact_speaks_english,
        }


class FeedbackSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()
    escalation = EscalationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Feedback
        fields = ["id", "case", "message", "escalate", "escalation", "created_at"]

    def get_case(self, feedback: Feedback) -> str:
        return feedback.case.number
