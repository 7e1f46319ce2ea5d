"""REST API for cases (API.md "Cases"): one small view per operation.

Each view parses, fetches through the selectors (404 for a case that is missing or not
the caller's), and calls one service; the services hold every rule.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, Tier, User
from casetracker.pagination import BoundedCountPagination, paginated_response

from . import services
from .filters import CaseFilter
from .models import Channel, RequestType, Severity
from .permissions import can_see_billing, is_staff
from .selectors import (
    billing_statement,
    cases_visible_to,
    events_visible_to,
    get_case_for,
    messages_visible_to,
    parse_month,
)
from .serializers import (
    CaseSerializer,
    EventSerializer,
    MessageSerializer,
    PrebuiltFieldsMixin,
    TimeEntrySerializer,
)

CALLER_CHANNELS = [(Channel.API, Channel.API.label), (Channel.PHONE, Channel.PHONE.label)]


def _channel(request: Request, requested: str | None) -> str:
    """The channel of a write: the API, unless staff record a phone call."""
    if requested == Channel.PHONE:
        if not is_staff(request.user):
            raise serializers.ValidationError({"channel": [_("Only support staff record phone calls.")]})
        return Channel.PHONE
    return Channel.API


def _files(request: Request) -> list:
    return request.FILES.getlist("attachments") if hasattr(request, "FILES") else []


class CaseListApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = BoundedCountPagination

    class Input(PrebuiltFieldsMixin, serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(max_length=100_000)
        severity = serializers.ChoiceField(Severity.choices)
        request_type = serializers.ChoiceField(RequestType.choices)
        product = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        version = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
        organization = serializers.IntegerField(required=False, allow_null=True, default=None)
        requester = serializers.IntegerField(required=False, allow_null=True, default=None)
        channel = serializers.ChoiceField(CALLER_CHANNELS, required=False, default=Channel.API)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True),
            OpenApiParameter("severity", OpenApiTypes.STR, many=True),
            OpenApiParameter("request_type", OpenApiTypes.STR, many=True),
            OpenApiParameter("tier", OpenApiTypes.STR, many=True),
            OpenApiParameter("escalation_level", OpenApiTypes.STR, many=True),
            OpenApiParameter("organization", OpenApiTypes.INT),
            OpenApiParameter("assignee", OpenApiTypes.INT),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Text search: words of the title, product or description (whole words or their "
                "beginnings; quotes for a phrase, `or`, `-word`), a case number, or an organization's name or "
                "customer number",
            ),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                description="number, created_at, updated_at, severity, status; prefix - to reverse",
            ),
        ],
        # The page envelope, with count_exact, comes from pagination_class (casetracker.schema).
        responses=CaseSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filterset = CaseFilter(request.query_params, queryset=cases_visible_to(request.user).order_by("-id"))
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        # No COUNT(*) of the whole list: exact up to 1,000 rows, then "at least" (count_exact).
        return paginated_response(
            request,
            CaseSerializer.reading_columns(filterset.qs),
            CaseSerializer,
            view=self,
            pagination_class=BoundedCountPagination,
            context={"request": request},
        )

    @extend_schema(request=Input, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organization = requester = None
        if values["organization"] is not None:
            organization = Organization.objects.filter(pk=values["organization"]).first()
            if organization is None:
                raise serializers.ValidationError(
                    {"organization": [_("You can only log cases for your own organizations.")]}
                )
        if values["requester"] is not None:
            requester = User.objects.filter(pk=values["requester"]).first()
            if requester is None:
                raise serializers.ValidationError({"requester": [_("Unknown requester.")]})
        case = services.log_case(
            actor=request.user,
            title=values["title"],
            description=values["description"],
            severity=values["severity"],
            request_type=values["request_type"],
            product=values["product"],
            version=values["version"],
            organization=organization,
            requester=requester,
            channel=_channel(request, values["channel"]),
            files=_files(request),
        )
        return Response(CaseSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(CaseSerializer(get_case_for(request.user, number), context={"request": request}).data)


class CaseMessagesApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class Input(serializers.Serializer):
        body = serializers.CharField(max_length=100_000)
        internal = serializers.BooleanField(default=False)
        channel = serializers.ChoiceField(CALLER_CHANNELS, required=False, default=Channel.API)

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        return paginated_response(request, messages_visible_to(request.user, case), MessageSerializer, view=self)

    @extend_schema(request=Input, responses={201: MessageSerializer})
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.add_message(
            case=case,
            author=request.user,
            body=data.validated_data["body"],
            internal=data.validated_data["internal"],
            channel=_channel(request, data.validated_data["channel"]),
            files=_files(request),
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class CaseEventsApi(APIView):
    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        return paginated_response(request, events_visible_to(request.user, case), EventSerializer, view=self)


class CaseAssignApi(APIView):
    class Input(serializers.Serializer):
        assignee = serializers.IntegerField(allow_null=True)

    @extend_schema(request=Input, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = None
        if data.validated_data["assignee"] is not None:
            assignee = User.objects.filter(pk=data.validated_data["assignee"]).first()
            if assignee is None:
                raise serializers.ValidationError({"assignee": [_("Cases can only be assigned to support engineers.")]})
        case = services.assign_case(case=case, actor=request.user, assignee=assignee, channel=Channel.API)
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseTierApi(APIView):
    class Input(serializers.Serializer):
        tier = serializers.ChoiceField(Tier.choices)
        note = serializers.CharField(max_length=10_000)

    @extend_schema(request=Input, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.change_tier(case=case, actor=request.user, channel=Channel.API, **data.validated_data)
        return Response(CaseSerializer(case, context={"request": request}).data)


class _BodyInput(serializers.Serializer):
    body = serializers.CharField(max_length=100_000)


class CaseRequestInfoApi(APIView):
    @extend_schema(request=_BodyInput, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = _BodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.request_info(
            case=case, actor=request.user, body=data.validated_data["body"], channel=Channel.API
        )
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseProposeSolutionApi(APIView):
    @extend_schema(request=_BodyInput, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = _BodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.propose_solution(
            case=case, actor=request.user, body=data.validated_data["body"], channel=Channel.API
        )
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseConfirmApi(APIView):
    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        case = services.confirm_solution(case=case, actor=request.user, channel=Channel.API)
        return Response(CaseSerializer(case, context={"request": request}).data)


class _ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000)


class CaseReopenApi(APIView):
    @extend_schema(request=_ReasonInput, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = _ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.reopen_case(
            case=case, actor=request.user, reason=data.validated_data["reason"], channel=Channel.API
        )
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseWithdrawApi(APIView):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=10_000, required=False, default="", allow_blank=True)

    @extend_schema(request=Input, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.withdraw_case(
            case=case, actor=request.user, reason=data.validated_data["reason"], channel=Channel.API
        )
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseSeverityApi(APIView):
    class Input(serializers.Serializer):
        severity = serializers.ChoiceField(Severity.choices)
        reason = serializers.CharField(max_length=10_000)
        channel = serializers.ChoiceField(CALLER_CHANNELS, required=False, default=Channel.API)

    @extend_schema(request=Input, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.change_severity(
            case=case,
            actor=request.user,
            severity=data.validated_data["severity"],
            reason=data.validated_data["reason"],
            channel=_channel(request, data.validated_data["channel"]),
        )
        return Response(CaseSerializer(case, context={"request": request}).data)


class CaseTimeApi(APIView):
    class Input(serializers.Serializer):
        minutes = serializers.IntegerField()
        billable = serializers.BooleanField(required=False, allow_null=True, default=None)
        note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(responses=TimeEntrySerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        if not is_staff(request.user):
            raise PermissionDenied(_("Only support staff see time entries."))
        entries = case.time_entries.select_related("engineer", "case")
        return paginated_response(request, entries, TimeEntrySerializer, view=self)

    @extend_schema(request=Input, responses={201: TimeEntrySerializer})
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.log_time(case=case, actor=request.user, channel=Channel.API, **data.validated_data)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


BillingOut = inline_serializer(
    "BillingStatement",
    {
        "organization": serializers.DictField(),
        "month": serializers.CharField(),
        "cases": serializers.ListField(child=serializers.DictField()),
        "total_minutes": serializers.IntegerField(),
        "total_hours": serializers.FloatField(),
    },
)


def billing_payload(statement) -> dict:  # type: ignore[no-untyped-def]
    organization = statement.organization
    return {
        "organization": {
            "id": organization.pk,
            "name": organization.name,
            "customer_number": organization.customer_number,
        },
        "month": statement.month,
        "cases": [
            {
                "number": line.number,
                "title": line.title,
                "request_type": line.request_type,
                "billable_minutes": line.billable_minutes,
                "hours": line.hours,
            }
            for line in statement.lines
        ],
        "total_minutes": statement.total_minutes,
        "total_hours": statement.total_hours,
    }


def billing_csv(statement) -> HttpResponse:  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "title", "request_type", "billable_minutes", "hours"])
    for line in statement.lines:
        # A leading =, +, - or @ would be a formula in a spreadsheet: neutralize it.
        title = "'" + line.title if line.title[:1] in "=+-@" else line.title
        writer.writerow([line.number, title, line.request_type, line.billable_minutes, line.hours])
    writer.writerow(["total", "", "", statement.total_minutes, statement.total_hours])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"billing-{statement.organization.customer_number}-{statement.month}.csv"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


class CSVRenderer(BaseRenderer):
    """Lets `Accept: text/csv` and `?format=csv` through content negotiation; the view
    builds the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # type: ignore[no-untyped-def]
        return data


class BillingApi(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Errors are always explained in JSON, even when CSV was asked for.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM")],
        responses={200: BillingOut, (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, pk: int) -> Response | HttpResponse:
        if not can_see_billing(request.user, pk):
            # Not a member: the organization is none of the caller's business (404).
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        organization = get_object_or_404(Organization, pk=pk)
        parsed = parse_month(request.query_params.get("month", ""))
        if parsed is None:
            raise serializers.ValidationError({"month": [_("Give the month as YYYY-MM, e.g. 2026-11.")]})
        statement = billing_statement(organization=organization, year=parsed[0], month=parsed[1])
        if getattr(request.accepted_renderer, "format", "") == "csv":
            return billing_csv(statement)
        return Response(billing_payload(statement))
