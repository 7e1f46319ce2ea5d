"""A user has exactly one primary association, held by the database itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership
from tests.factories import CustomerFactory


def test_the_database_refuses_a_second_primary_membership(alice, acme, globex):
    # Given alice, whose primary association is Acme
    # When a second primary membership is inserted directly, behind every service
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=alice, organization=globex, is_primary=True)

    # Then nothing was added, and Acme is still her only primary association
    assert list(Membership.objects.filter(user=alice).values_list("organization__name", "is_primary")) == [
        ("Acme", True)
    ]


def test_a_user_may_hold_any_number_of_other_memberships(alice, globex):
    Membership.objects.create(user=alice, organization=globex, is_primary=False)

    assert Membership.objects.filter(user=alice).count() == 2
    assert Membership.objects.filter(user=alice, is_primary=True).count() == 1


def test_each_member_of_an_organization_has_their_own_primary(acme):
    # Given two people whose primary association is the same organization
    first = CustomerFactory(organization=acme)
    second = CustomerFactory(organization=acme)

    # Then both hold it as primary: the rule is one per user, not one per organization
    assert Membership.objects.filter(organization=acme, is_primary=True).count() == 2
    assert {first.pk, second.pk} == set(Membership.objects.filter(is_primary=True).values_list("user", flat=True))


def test_the_same_organization_cannot_be_joined_twice(alice, acme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=alice, organization=acme, is_primary=False)

    assert Membership.objects.filter(user=alice).count() == 1
