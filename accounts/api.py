"""Provisioning, the caller's profile and the token endpoint (API.md "Auth", "Provisioning")."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetracker.pagination import paginated_response

from .login_throttle import begin_login_attempt, client_ip, finish_login_attempt
from .models import Language, Organization, Plan, Role, Tier, User, validate_country, validate_timezone
from .permissions import can_provision
from .selectors import active_organization_for, memberships_of, primary_organization_for
from .serializers import MembershipSerializer, OrganizationRefSerializer, OrganizationSerializer, UserSerializer
from .services import MembershipSpec, create_organization, create_user, set_availability, switch_active_organization


def _validate_with(validator):  # type: ignore[no-untyped-def]
    """Run a model-field validator inside a serializer field."""

    def run(value: str) -> str:
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    return run


class TokenApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenInput")
    class Input(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    @extend_schema(
        request=Input,
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        ip = client_ip(request)
        # Counted before the password is checked, atomically (accounts.login_throttle).
        check = begin_login_attempt(email=email, ip_address=ip, channel="api")
        if check.wait is not None:
            raise Throttled(wait=check.wait, detail=_("Too many failed logins. Try again later."))
        user = authenticate(request._request, username=email, password=data.validated_data["password"])
        finish_login_attempt(check, user=user)
        if user is None:
            return Response({"detail": _("Invalid e-mail address or password.")}, status=status.HTTP_401_UNAUTHORIZED)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class OrganizationListApi(APIView):
    @extend_schema_serializer(component_name="OrganizationInput")
    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        customer_number = serializers.CharField(max_length=32)
        plan = serializers.ChoiceField(Plan.choices, default=Plan.BASIC)
        production = serializers.BooleanField(default=False)
        maintenance_until = serializers.DateField(allow_null=True, required=False, default=None)
        partner = serializers.SlugRelatedField(
            slug_field="customer_number",
            queryset=Organization.objects.all(),
            allow_null=True,
            required=False,
            default=None,
        )
        country = serializers.CharField(max_length=2)
        timezone = serializers.CharField(max_length=64, validators=[_validate_with(validate_timezone)])
        language = serializers.ChoiceField(Language.choices, default=Language.EN)
        account_manager = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.all(), allow_null=True, required=False, default=None
        )

        def validate_country(self, value: str) -> str:
            # Upper-case first: "fr" is France. (A field validator would run before this.)
            return _validate_with(validate_country)(value.upper())

    @extend_schema(responses=OrganizationSerializer(many=True))
    def get(self, request: Request) -> Response:
        if request.user.is_support_staff:
            organizations = Organization.objects.select_related("partner").order_by("name")
        else:
            organizations = Organization.objects.filter(memberships__user=request.user).select_related("partner")
        return paginated_response(request, organizations, OrganizationSerializer, view=self)

    @extend_schema(request=Input, responses={201: OrganizationSerializer})
    def post(self, request: Request) -> Response:
        if not can_provision(request.user):
            raise PermissionDenied(_("Only administrators may provision organizations and users."))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        organization = create_organization(actor=request.user, **data.validated_data)
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)


class OrganizationDetailApi(APIView):
    @extend_schema(responses=OrganizationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        queryset = Organization.objects.select_related("partner")
        if not request.user.is_support_staff:
            queryset = queryset.filter(memberships__user=request.user)
        return Response(OrganizationSerializer(get_object_or_404(queryset, pk=pk)).data)


class UserListApi(APIView):
    class MembershipInput(serializers.Serializer):
        organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
        is_primary = serializers.BooleanField(default=False)

    @extend_schema_serializer(component_name="UserInput")
    class Input(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)
        name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
        language = serializers.ChoiceField(Language.choices, default=Language.EN)
        timezone = serializers.CharField(max_length=64, default="UTC", validators=[_validate_with(validate_timezone)])
        role = serializers.ChoiceField(Role.choices)
        tier = serializers.ChoiceField(Tier.choices, required=False, default="", allow_blank=True)
        manager = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.all(), allow_null=True, required=False, default=None
        )
        memberships = serializers.ListField(child=serializers.DictField(), required=False, default=list)

        def validate_memberships(self, value: list[dict]) -> list[MembershipSpec]:
            specs = []
            for item in value:
                inner = UserListApi.MembershipInput(data=item)
                inner.is_valid(raise_exception=True)
                specs.append(MembershipSpec(**inner.validated_data))
            return specs

    @extend_schema(responses=UserSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not request.user.is_support_staff:
            raise PermissionDenied(_("Only support staff may list users."))
        users = User.objects.prefetch_related("memberships__organization").order_by("email")
        role = request.query_params.get("role")
        if role:
            users = users.filter(role=role)
        return paginated_response(request, users, UserSerializer, view=self)

    @extend_schema(request=Input, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        if not can_provision(request.user):
            raise PermissionDenied(_("Only administrators may provision organizations and users."))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = create_user(actor=request.user, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailApi(APIView):
    @extend_schema_serializer(component_name="UserAvailabilityInput")
    class Input(serializers.Serializer):
        available = serializers.BooleanField()

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request, pk: int) -> Response:
        if not request.user.is_support_staff and request.user.pk != pk:
            raise PermissionDenied(_("Only support staff may see other users."))
        return Response(UserSerializer(get_object_or_404(User, pk=pk)).data)

    @extend_schema(request=Input, responses=UserSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        if not (can_provision(request.user) or (request.user.pk == pk and request.user.is_support_staff)):
            raise PermissionDenied(_("Only administrators or the person themselves may change availability."))
        user = get_object_or_404(User, pk=pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = set_availability(actor=request.user, user=user, available=data.validated_data["available"])
        return Response(UserSerializer(user).data)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    language = serializers.CharField()
    timezone = serializers.CharField()
    tier = serializers.CharField()
    memberships = MembershipSerializer(many=True)
    primary_organization = OrganizationRefSerializer(allow_null=True)
    active_organization = OrganizationRefSerializer(allow_null=True)


def _browser_session(request: Request):  # type: ignore[no-untyped-def]
    """The session, when the caller is the browser (session auth), else None."""
    return request.session if request.auth is None else None


def _me_payload(request: Request) -> dict:
    user = request.user
    return MeSerializer(
        {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "role": user.effective_role,
            "language": user.language,
            "timezone": user.timezone,
            "tier": user.tier,
            "memberships": list(memberships_of(user)),
            "primary_organization": primary_organization_for(user),
            "active_organization": active_organization_for(user, _browser_session(request)),
        }
    ).data


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(_me_payload(request))


class ActiveOrganizationApi(APIView):
    @extend_schema_serializer(component_name="ActiveOrganizationInput")
    class Input(serializers.Serializer):
        organization = serializers.IntegerField()

    @extend_schema(request=Input, responses=MeSerializer)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        organization = Organization.objects.filter(pk=data.validated_data["organization"]).first()
        if organization is None or request.user.is_support_staff:
            raise serializers.ValidationError({"organization": [_("You are not a member of this organization.")]})
        switch_active_organization(user=request.user, organization=organization, session=_browser_session(request))
        return Response(_me_payload(request))
