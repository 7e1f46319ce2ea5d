from __future__ import annotations

from rest_framework import serializers

from .models import Membership, Organization, User


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "customer_number"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email"]


class OrganizationSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="customer_number", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "customer_number",
            "plan",
            "production",
            "maintenance_until",
            "partner",
            "country",
            "timezone",
            "language",
            "account_manager",
            "created_at",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer()

    class Meta:
        model = Membership
        fields = ["organization", "is_primary"]


class UserSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="effective_role")
    memberships = MembershipSerializer(many=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "language", "timezone", "tier", "manager", "available", "memberships"]
