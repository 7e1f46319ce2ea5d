"""The billing page: an organization's billable hours in one month, for its members
and for staff, with a CSV download."""

from __future__ import annotations

import datetime
import zoneinfo

import time_machine
from django.urls import reverse

from cases.models import RequestType, TimeEntry


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def log_minutes(case, engineer, minutes, when, billable=True):  # type: ignore[no-untyped-def]
    TimeEntry.objects.create(case=case, engineer=engineer, minutes=minutes, billable=billable, created_at=when)


NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_a_member_sees_the_months_billable_hours_and_the_total(browser_for, alice, acme, make_case, engineer):
    consultation = make_case(title="Tuning workshop", request_type=RequestType.CONSULTATION)
    other = make_case(title="Migration advice", request_type=RequestType.CONSULTATION)
    january = datetime.datetime(2026, 1, 15, 12, tzinfo=NEW_YORK)
    log_minutes(consultation, engineer, 90, january)
    log_minutes(other, engineer, 30, january)
    log_minutes(other, engineer, 45, january, billable=False)
    log_minutes(other, engineer, 60, datetime.datetime(2026, 2, 1, 12, tzinfo=NEW_YORK))

    response = browser_for(alice).get(reverse("cases:billing", args=[acme.pk]), {"month": "2026-01"})

    assert response.status_code == 200
    body = text(response)
    assert "Billing for Acme (ACME-1)" in body
    assert "Tuning workshop" in body and "Migration advice" in body
    assert "Consultation (paid)" in body
    assert '<td class="num">90</td> <td class="num">1.5</td>' in body
    assert '<td class="num">120</td> <td class="num">2.0</td>' in body  # the total
    assert f'href="/api/v1/organizations/{acme.pk}/billing/?month=2026-01&amp;format=csv"' in body


@time_machine.travel(datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC))
def test_the_month_defaults_to_the_current_month_in_the_organizations_time_zone(browser_for, alice, acme):
    # 03:00 UTC on 1 March is still February in New York.
    response = browser_for(alice).get(reverse("cases:billing", args=[acme.pk]))

    assert response.status_code == 200
    body = text(response)
    assert 'value="2026-02"' in body
    assert "No billable work in 2026-02." in body


def test_a_bad_month_is_shown_beside_the_field(browser_for, alice, acme):
    response = browser_for(alice).get(reverse("cases:billing", args=[acme.pk]), {"month": "2026-13"})

    assert response.status_code == 400
    body = text(response)
    assert '<ul class="field-error" id="id_month_error">' in body
    assert "Give the month as YYYY-MM, e.g. 2026-11." in body
    assert "Download CSV" not in body


def test_staff_see_any_organizations_billing(browser_for, engineer, acme):
    response = browser_for(engineer).get(reverse("cases:billing", args=[acme.pk]), {"month": "2026-01"})

    assert response.status_code == 200
    assert "Billing for Acme (ACME-1)" in text(response)
