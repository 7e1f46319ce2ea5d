"""What the admin configures for SLAs is checked twice: by ``full_clean`` (the admin
forms) and by the database (anything that bypasses the forms)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organization
from sla.models import ClockKind, SlaTarget
from tests.factories import OrganizationFactory


@pytest.fixture
def basic_low(db) -> SlaTarget:  # type: ignore[no-untyped-def]
    target, _ = SlaTarget.objects.update_or_create(
        plan="basic",
        severity="low",
        defaults={"first_response_minutes": 4320, "next_update_minutes": 8640, "clock": ClockKind.BUSINESS},
    )
    return target


@pytest.mark.parametrize("field", ["first_response_minutes", "next_update_minutes"])
def test_a_target_of_zero_minutes_is_refused_by_full_clean(basic_low, field):
    setattr(basic_low, field, 0)

    with pytest.raises(ValidationError) as refused:
        basic_low.full_clean()

    assert field in refused.value.message_dict


@pytest.mark.parametrize("field", ["first_response_minutes", "next_update_minutes"])
def test_a_target_of_zero_minutes_is_refused_by_the_database(basic_low, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaTarget.objects.filter(pk=basic_low.pk).update(**{field: 0})

    basic_low.refresh_from_db()
    assert (basic_low.first_response_minutes, basic_low.next_update_minutes) == (4320, 8640)


def test_a_second_target_for_the_same_plan_and_severity_is_refused(basic_low):
    duplicate = SlaTarget(plan="basic", severity="low", first_response_minutes=60, next_update_minutes=60)

    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_business_hours_that_end_before_they_start_are_refused_by_full_clean(db):
    organization = OrganizationFactory.build(business_hours_start=dt.time(18, 0), business_hours_end=dt.time(9, 0))

    with pytest.raises(ValidationError) as refused:
        organization.full_clean()

    assert "business_hours_end" in refused.value.message_dict


def test_business_hours_that_end_before_they_start_are_refused_by_the_database(acme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=acme.pk).update(
            business_hours_start=dt.time(18, 0), business_hours_end=dt.time(9, 0)
        )

    acme.refresh_from_db()
    assert (acme.business_hours_start, acme.business_hours_end) == (dt.time(9, 0), dt.time(18, 0))


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "ZZ"), ("country", "USA"), ("timezone", "Mars/Olympus"), ("timezone", "EST5EDT-ish")],
)
def test_an_unknown_country_or_timezone_is_refused_by_full_clean(db, field, value):
    organization = OrganizationFactory.build(**{field: value})

    with pytest.raises(ValidationError) as refused:
        organization.full_clean()

    assert field in refused.value.message_dict


def test_a_valid_organization_passes_full_clean(db):
    OrganizationFactory.build(country="KR", timezone="Asia/Seoul").full_clean()
