"""REST API for inbound mail (API.md "Inbound e-mail").

- ``POST /mail/inbound/``: a mail provider's inbound webhook hands over one raw mail
  (``message/rfc822``, or a multipart field ``message``), authenticated by a shared
  secret (``Authorization: Bearer <INBOUND_WEBHOOK_SECRET>``) → 202 ``{"id", "disposition"}``.
- ``GET /mail/quarantine/`` and its three actions, for any staff member.
- ``GET /mail/inbound/{id}/`` (the decoded original) and ``.../raw/`` (the bytes), staff only.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.http import FileResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from cases.models import Case, parse_case_number
from cases.permissions import is_staff
from casetracker.errors import Conflict
from casetracker.pagination import paginated_response

from .models import InboundMessage, Source
from .selectors import get_inbound, open_raw, original_of, quarantined_mail, user_by_email
from .serializers import (
    InboundMailSerializer,
    OriginalMailSerializer,
    QuarantineItemSerializer,
    WebhookResultSerializer,
)
from .services import attach_mail_to_case, discard_mail, ingest_stream, open_case_from_held_mail

# Field names under which mail providers post the raw message in a multipart form.
WEBHOOK_FIELDS = ("message", "email", "body-mime")


class IsSupportStaff(BasePermission):
    message = gettext_lazy("This is for support staff.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff(request.user)


class RawMessageParser(BaseParser):
    """``message/rfc822``: the body is the mail; handed on as a stream, never read whole."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        return {"message": stream}


class InboundWebhookApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawMessageParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "message/rfc822": OpenApiTypes.BINARY,
            "multipart/form-data": inline_serializer("InboundWebhookForm", {"message": serializers.FileField()}),
        },
        responses={
            202: WebhookResultSerializer,
            400: OpenApiResponse(description="No message in the request"),
            403: OpenApiResponse(description="Missing or wrong shared secret"),
            503: OpenApiResponse(description="INBOUND_WEBHOOK_SECRET is not set"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        secret = settings.INBOUND_WEBHOOK_SECRET
        if not secret:
            return Response(
                {"detail": _("The inbound e-mail webhook is not configured.")},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        scheme, _space, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), secret):
            return Response({"detail": _("Wrong or missing webhook secret.")}, status=status.HTTP_403_FORBIDDEN)
        stream = self._message_stream(request)
        if stream is None:
            raise serializers.ValidationError({"message": [_("Send the raw e-mail (message/rfc822).")]})
        inbound = ingest_stream(stream, source=Source.WEBHOOK)
        return Response(
            {"id": inbound.pk, "disposition": inbound.disposition, "reason": inbound.reason},
            status=status.HTTP_202_ACCEPTED,
        )

    @staticmethod
    def _message_stream(request: Request):  # type: ignore[no-untyped-def]
        for name in WEBHOOK_FIELDS:
            upload = request.FILES.get(name) if hasattr(request, "FILES") else None
            if upload is not None:
                return upload
        data = request.data
        for name in WEBHOOK_FIELDS:
            value = data.get(name) if hasattr(data, "get") else None
            if isinstance(value, str) and value:
                return io.BytesIO(value.encode("utf-8"))
            if value is not None and hasattr(value, "read"):
                return value
        return None


class QuarantineListApi(APIView):
    permission_classes = [IsSupportStaff]

    @extend_schema(responses=QuarantineItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(request, quarantined_mail(), QuarantineItemSerializer, view=self)


def _held(pk: int) -> InboundMessage:
    inbound = get_inbound(pk)
    if not inbound.is_quarantined:
        raise Conflict(_("This e-mail is no longer in quarantine: someone has already handled it."))
    return inbound


def _case_named(value: str) -> Case:
    value = (value or "").strip()
    pk = int(value) if value.isdigit() else parse_case_number(value.upper())
    case = Case.objects.filter(pk=pk).first() if pk is not None else None
    if case is None:
        raise serializers.ValidationError({"case": [_("There is no case %(number)s.") % {"number": value}]})
    return case


def _requester_named(value: str) -> User:
    value = (value or "").strip()
    user = User.objects.filter(pk=int(value), is_active=True).first() if value.isdigit() else user_by_email(value)
    if user is None or user.is_support_staff:
        raise serializers.ValidationError({"requester": [_("Name a customer: their user id or e-mail address.")]})
    return user


class QuarantineAttachApi(APIView):
    permission_classes = [IsSupportStaff]

    class Input(serializers.Serializer):
        case = serializers.CharField(max_length=20, help_text="A case number (C-000123) or id")

    @extend_schema(request=Input, responses=InboundMailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        inbound = _held(pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        inbound = attach_mail_to_case(
            inbound=inbound, case=_case_named(data.validated_data["case"]), actor=request.user
        )
        return Response(InboundMailSerializer(inbound).data)


class QuarantineOpenCaseApi(APIView):
    permission_classes = [IsSupportStaff]

    class Input(serializers.Serializer):
        requester = serializers.CharField(max_length=254, help_text="The customer's user id or e-mail address")

    @extend_schema(request=Input, responses=InboundMailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        inbound = _held(pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        inbound = open_case_from_held_mail(
            inbound=inbound, requester=_requester_named(data.validated_data["requester"]), actor=request.user
        )
        return Response(InboundMailSerializer(inbound).data)


class QuarantineDiscardApi(APIView):
    permission_classes = [IsSupportStaff]

    @extend_schema(request=None, responses=InboundMailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        inbound = discard_mail(inbound=_held(pk), actor=request.user)
        return Response(InboundMailSerializer(inbound).data)


class InboundMailDetailApi(APIView):
    permission_classes = [IsSupportStaff]

    @extend_schema(responses=OriginalMailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        inbound = get_inbound(pk)
        original = original_of(inbound)
        data = dict(InboundMailSerializer(inbound).data)
        data.update(headers=original.headers, text=original.text, attachments=original.attachments)
        return Response(data)


class InboundMailRawApi(APIView):
    permission_classes = [IsSupportStaff]

    @extend_schema(responses={(200, "message/rfc822"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        return raw_mail_response(get_inbound(pk))


def raw_mail_response(inbound: InboundMessage) -> FileResponse:
    """The stored bytes as a download, never displayed by the browser."""
    response = FileResponse(
        open_raw(inbound),
        as_attachment=True,
        filename=f"inbound-{inbound.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
