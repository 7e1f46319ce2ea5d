"""The managers' figures page: who sees it, its filters, and what it carries."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from accounts.models import Role, Tier
from tests.factories import StaffFactory

from .conftest import PERIOD, at

pytestmark = pytest.mark.django_db
URL = "/staff/figures/"


def test_the_figures_live_at_staff_figures():
    assert reverse("insights:figures") == URL
    assert reverse("insights:figures_csv", args=["backlog"]) == URL + "csv/backlog/"


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("person", ["alice", "engineer", "operator"])
def test_customers_engineers_and_operators_are_refused(browser_for, request, person):
    response = browser_for(request.getfixturevalue(person)).get(URL)

    assert response.status_code == 403
    assert b"figures-data" not in response.content


@pytest.mark.parametrize("person", ["manager", "director", "admin_user"])
def test_managers_directors_and_administrators_see_the_figures(browser_for, request, person):
    response = browser_for(request.getfixturevalue(person)).get(URL)

    assert response.status_code == 200
    assert response.templates[0].name == "insights/figures.html"


def test_a_superuser_without_a_management_role_sees_the_figures(browser_for):
    root = StaffFactory(email="root@vendor.example", role=Role.ENGINEER, is_superuser=True, is_staff=True)

    assert browser_for(root).get(URL).status_code == 200


def test_the_page_has_five_charts_each_with_a_table_and_a_csv_link_keeping_the_filters(
    browser_for, manager, acme, clock, make_case
):
    make_case(created=at(4), closed=at(5))
    query = {**PERIOD, "organization": acme.pk, "product": "Vault"}

    response = browser_for(manager).get(URL, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<canvas") == 5
    assert html.count('<details class="figure-table"') == 5
    for key in ("backlog", "sla", "escalations", "l1", "first-response"):
        link = re.search(rf'href="(/staff/figures/csv/{key}/\?[^"]*)"', html)
        assert link, key
        assert f"organization={acme.pk}" in link.group(1)
        assert "date_from=2025-03-03" in link.group(1)
        assert "product=Vault" in link.group(1)
    # the chart data travels as JSON, never as inline script
    assert '<script id="figures-data" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_the_chart_data_carries_the_numbers_and_translated_labels(browser_for, manager, clock, make_case):
    for day in (4, 5, 6):
        make_case(created=at(day - 1), closed=at(day))
    make_case(created=at(6), closed=at(7), tier=Tier.L2)

    response = browser_for(manager).get(URL, PERIOD)

    data = json.loads(
        re.search(r'id="figures-data" type="application/json">(.*?)</script>', response.content.decode(), re.S).group(1)
    )
    charts = {chart["key"]: chart for chart in data["charts"]}
    assert set(charts) == {"backlog", "sla", "escalations", "l1", "first-response"}
    assert charts["l1"]["band"] == {"low": 70, "high": 80, "label": "Target: 70–80%"}
    assert charts["l1"]["datasets"][0]["data"] == [75.0, None]
    assert charts["sla"]["labels"][0] == "Enterprise Down"
    assert "75.0% of 4 closed cases never left L1. Within the 70–80% target." in response.content.decode()


def test_the_page_speaks_the_managers_language(browser_for, manager, clock):
    manager.language = "fr"
    manager.save(update_fields=["language"])

    response = browser_for(manager).get(URL, PERIOD)

    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert 'lang="fr"' in response.content.decode()


def test_a_preset_period_ignores_dates_left_in_the_url(browser_for, manager, clock):
    response = browser_for(manager).get(URL, {"period": "90", "date_from": "2025-03-10", "date_to": "2025-03-01"})

    assert response.status_code == 200
    scope = response.context["scope"]
    assert (str(scope.date_from), str(scope.date_to)) == ("2024-12-21", "2025-03-20")


def test_dates_without_a_period_are_custom_dates(browser_for, manager, clock):
    response = browser_for(manager).get(URL, {"date_from": "2025-03-03", "date_to": "2025-03-16"})

    scope = response.context["scope"]
    assert (str(scope.date_from), str(scope.date_to)) == ("2025-03-03", "2025-03-16")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"period": "custom", "date_from": "2025-03-16", "date_to": "2025-03-03"},
            "date_to",
            "The last day cannot be before the first day.",
        ),
        ({"period": "custom", "date_from": "16/13/2025", "date_to": "2025-03-03"}, "date_from", "Enter a valid date."),
        ({"period": "custom", "date_from": "2025-03-03"}, "date_to", "Enter the last day of the period."),
        (
            {"period": "custom", "date_from": "2020-01-01", "date_to": "2025-03-03"},
            "date_to",
            "Choose a period of at most 731 days.",
        ),
        (
            {"period": "custom", "date_from": "1999-12-31", "date_to": "2000-01-02"},
            "date_from",
            "Enter a date between 2000-01-01 and 2100-12-31.",
        ),
        ({"period": "7"}, "period", "Select a valid choice."),
        ({"organization": "999999"}, "organization", "Select a valid choice."),
        ({"product": "x" * 101}, "product", "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_filters_answer_400_with_the_error_beside_the_field(browser_for, manager, clock, query, field, message):
    response = browser_for(manager).get(URL, query)

    assert response.status_code == 400
    html = response.content.decode()
    beside = re.search(rf'<ul class="field-error" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert beside, html
    assert message in beside.group(1)
    assert 'aria-invalid="true"' in html
    assert "figures-data" not in html
