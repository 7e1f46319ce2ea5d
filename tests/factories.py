"""factory_boy factories for the named people and things the tests talk about."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, Plan, Role, Tier, User
from cases.models import SEVERITY_RANK, Case, RequestType, Severity, Status

PASSWORD = "correct horse battery staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    customer_number = factory.Sequence(lambda n: f"CN-{n:05d}")
    plan = Plan.STANDARD
    production = True
    maintenance_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    country = "US"
    timezone = "America/New_York"
    language = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.CUSTOMER
    language = "en"
    timezone = "UTC"

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CustomerFactory(UserFactory):
    """A customer; ``organization=`` makes them a primary member of it."""

    @factory.post_generation
    def organization(self, create: bool, extracted: Organization | None, **kwargs: object) -> None:
        if create and extracted is not None:
            Membership.objects.create(user=self, organization=extracted, is_primary=True)


class StaffFactory(UserFactory):
    role = Role.ENGINEER
    tier = Tier.L1


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(CustomerFactory)
    organization = factory.SubFactory(OrganizationFactory)
    is_primary = False


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    organization = factory.SubFactory(OrganizationFactory)
    requester = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Case title {n}")
    description = "Something is wrong."
    request_type = RequestType.INCIDENT
    severity = Severity.MEDIUM
    severity_rank = factory.LazyAttribute(lambda o: SEVERITY_RANK[o.severity])
    status = Status.NEW
