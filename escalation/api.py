"""REST API for escalation, Enterprise Down, feedback and SPR links (API.md)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Channel
from cases.permissions import is_staff
from cases.selectors import get_case_for
from cases.serializers import CaseSerializer
from casetracker.pagination import paginated_response

from . import services
from .models import EDownCategory, Escalation
from .selectors import escalations_of, escalations_routed_to
from .serializers import ContactSerializer, EDownDeclarationSerializer, EscalationSerializer, FeedbackSerializer

ESCALATION_CHANNELS = [
    (Channel.WEB, Channel.WEB.label),
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.API, Channel.API.label),
]


class CaseEscalationsApi(APIView):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=10_000)
        channel = serializers.ChoiceField(ESCALATION_CHANNELS, required=False, allow_null=True, default=None)

    @extend_schema(responses=EscalationSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        return paginated_response(request, escalations_of(case.pk), EscalationSerializer, view=self)

    @extend_schema(request=Input, responses={201: EscalationSerializer})
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = services.escalate_case(case=case, actor=request.user, **data.validated_data)
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


class EscalationAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=EscalationSerializer)
    def post(self, request: Request, number: str, pk: int) -> Response:
        case = get_case_for(request.user, number)
        escalation = Escalation.objects.filter(case=case, pk=pk).first()
        if escalation is None:
            raise Http404
        escalation = services.acknowledge_escalation(escalation=escalation, actor=request.user, channel=Channel.API)
        return Response(EscalationSerializer(escalation).data)


class EscalationListApi(APIView):
    """Staff: the escalations routed to the caller (``?all=true`` includes closed cases)."""

    @extend_schema(responses=EscalationSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not is_staff(request.user):
            raise PermissionDenied(_("Only support staff see escalation queues."))
        open_only = request.query_params.get("all") not in ("1", "true")
        escalations = escalations_routed_to(request.user, open_only=open_only)
        return paginated_response(request, escalations, EscalationSerializer, view=self)


class CaseEDownApi(APIView):
    class Input(serializers.Serializer):
        category = serializers.ChoiceField(EDownCategory.choices)
        total_users = serializers.IntegerField(min_value=1)
        affected_users = serializers.IntegerField(min_value=0)
        actions_taken = serializers.CharField(max_length=20_000)
        down_since = serializers.DateTimeField()
        contact = ContactSerializer()
        channel = serializers.ChoiceField(ESCALATION_CHANNELS, required=False, default=Channel.API)

    @extend_schema(request=Input, responses={201: EDownDeclarationSerializer})
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values["channel"] == Channel.WEB:
            values["channel"] = Channel.API
        declaration = services.declare_enterprise_down(case=case, actor=request.user, **values)
        return Response(
            EDownDeclarationSerializer(declaration, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FeedbackApi(APIView):
    class Input(serializers.Serializer):
        case = serializers.CharField(max_length=32)
        message = serializers.CharField(max_length=20_000)
        escalate = serializers.BooleanField(default=False)

    @extend_schema(request=Input, responses={201: FeedbackSerializer})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_case_for(request.user, data.validated_data["case"])
        feedback = services.submit_feedback(
            case=case,
            author=request.user,
            message=data.validated_data["message"],
            escalate=data.validated_data["escalate"],
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class CaseSprApi(APIView):
    class Input(serializers.Serializer):
        spr_number = serializers.CharField(max_length=32)
        escalated = serializers.BooleanField(default=False)

    @extend_schema(request=Input, responses=CaseSerializer)
    def post(self, request: Request, number: str) -> Response:
        case = get_case_for(request.user, number)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.link_spr(case=case, actor=request.user, channel=Channel.API, **data.validated_data)
        return Response(CaseSerializer(case, context={"request": request}).data)
