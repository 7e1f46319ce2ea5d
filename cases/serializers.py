"""Output shapes of cases, messages and events (API.md "Cases")."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import Field
from rest_framework.utils.serializer_helpers import BindingDict

from accounts.serializers import OrganizationRefSerializer, PersonSerializer

from .models import Attachment, Case, CaseEvent, CloseReason, Message, TimeEntry

# --- Fields built once per class ---------------------------------------------------------
#
# DRF builds a serializer's fields on every instantiation: a ModelSerializer inspects its
# model and constructs each field anew (plus every nested serializer's), which was the
# largest single cost of answering ``POST /api/v1/cases/``. The serializers of the hot
# paths build them once per class and give each instance shallow copies (fields keep no
# per-instance state until they are bound, and binding sets it on the copy). Serializers
# that compute their fields at run time (an overridden ``get_fields``) and lists keep the
# usual deep copy.

_PROTOTYPES: dict[type, dict[str, Field]] = {}


def _prototypes(cls: type, build: Any) -> dict[str, Field]:
    protos = _PROTOTYPES.get(cls)
    if protos is None:
        protos = _PROTOTYPES[cls] = build()
    return protos


def _static_fields(serializer: serializers.BaseSerializer) -> bool:
    get_fields = type(serializer).get_fields
    return get_fields in (
        serializers.Serializer.get_fields,
        serializers.ModelSerializer.get_fields,
        PrebuiltFieldsMixin.get_fields,
    )


def _clone(field: Field) -> Field:
    if isinstance(field, serializers.BaseSerializer) and (
        isinstance(field, serializers.ListSerializer) or not _static_fields(field)
    ):
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    if isinstance(field, serializers.Serializer) and not isinstance(field, PrebuiltFieldsMixin):
        # A nested serializer: its own fields from its class's prototypes, bound to the copy.
        bound = BindingDict(clone)
        for name, proto in _prototypes(type(field), field.get_fields).items():
            bound[name] = _clone(proto)
        clone.__dict__["fields"] = bound
    return clone


class PrebuiltFieldsMixin:
    """Build the serializer's fields once per class; each instance binds its own copies."""

    def get_fields(self) -> dict[str, Field]:
        build = super().get_fields  # type: ignore[misc]
        return {name: _clone(proto) for name, proto in _prototypes(type(self), build).items()}


class DueSerializer(serializers.Serializer):
    first_response = serializers.DateTimeField(allow_null=True)
    next_update = serializers.DateTimeField(allow_null=True)


class CaseSerializer(PrebuiltFieldsMixin, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    # Declared so the schema says what an open case answers: "" (a read-only model field
    # would drop allow_blank, and the schema would allow only the three reasons).
    close_reason = serializers.ChoiceField(CloseReason.choices, allow_blank=True, read_only=True)
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

    # The columns a list of cases needs to answer this JSON (not the rendered description,
    # the SLA and auto-close bookkeeping, nor the people's and organizations' other columns).
    LIST_COLUMNS = (
        *(
            name
            for name in Meta.fields
            if name not in ("number", "organization", "requester", "assignee", "due", "hours_spent")
        ),
        "first_response_due_at",
        "next_update_due_at",
        "spent_minutes",
        "internal_message_count",
        "organization__name",
        "organization__customer_number",
        "requester__name",
        "requester__email",
        "assignee__name",
        "assignee__email",
    )

    @classmethod
    def reading_columns(cls, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """``queryset`` reading only what a page of this JSON shows."""
        return (
            queryset.select_related(None)
            .select_related("organization", "requester", "assignee")
            .only(*cls.LIST_COLUMNS)
        )

    @extend_schema_field(DueSerializer)
    def get_due(self, case: Case) -> dict:
        if case.status == "closed":
            return {"first_response": None, "next_update": None}
        return {"first_response": case.first_response_due_at, "next_update": case.next_update_due_at}

    def get_hours_spent(self, case: Case) -> float:
        return case.spent_hours

    # Staff-only: the SPR is support's internal escalation (its event is not public and the
    # case page shows it in the workspace only). Without a staff request in the context
    # (``context={"request": request}``) these read blank.
    STAFF_ONLY_VALUES = {"spr_number": "", "spr_escalated": False}

    def to_representation(self, case: Case) -> dict:
        data = super().to_representation(case)
        user = getattr(self.context.get("request"), "user", None)
        if not (user is not None and user.is_authenticated and user.is_support_staff):
            data.update(self.STAFF_ONLY_VALUES)
            # Customers neither read internal notes nor learn how many there are.
            data["message_count"] = case.message_count - case.internal_message_count
        return data


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
