"""Case list filters shared by the API and the browser lists (kept in the URL)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier

from .models import Case, EscalationLevel, RequestType, Severity, Status
from .selectors import search_cases


class CaseOrderingFilter(django_filters.OrderingFilter):
    """The requested order, then newest first: a unique last key, so that pages never
    repeat or skip a case when the first keys tie (status, severity)."""

    def filter(self, qs: QuerySet[Case], value: list[str] | None) -> QuerySet[Case]:
        qs = super().filter(qs, value)
        if value and not any(name.lstrip("-") == "number" for name in value):
            qs = qs.order_by(*qs.query.order_by, "-id")
        return qs


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False, label=_("Status"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, distinct=False, label=_("Severity"))
    request_type = django_filters.MultipleChoiceFilter(
        choices=RequestType.choices, distinct=False, label=_("Request type")
    )
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices, distinct=False, label=_("Tier"))
    escalation_level = django_filters.MultipleChoiceFilter(
        choices=EscalationLevel.choices, distinct=False, label=_("Escalation level")
    )
    organization = django_filters.NumberFilter(field_name="organization_id", label=_("Organization"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("Assignee"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    ordering = CaseOrderingFilter(
        fields=(
            ("id", "number"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
            ("severity_rank", "severity"),
            ("status", "status"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return search_cases(queryset, value)
