"""The workspace with its escalations and the managers' list cost a fixed number of
queries, however many escalations there are: nothing is fetched per escalation.

Measured (both databases): workspace of an escalated case 9, "Escalated to me" 4.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Channel, EscalationLevel
from escalation.models import Escalation, Level

COUNTS = [2, 10]


@pytest.mark.parametrize("count", COUNTS)
def test_the_workspace_costs_the_same_for_any_number_of_escalations(
    browser_for, manager, director, alice, engineer, acme_case, django_assert_max_num_queries, count
):
    acme_case.escalation_level = EscalationLevel.M2
    acme_case.save(update_fields=["escalation_level"])
    Escalation.objects.create(
        case=acme_case, level=Level.M1, channel=Channel.WEB, requested_by=alice, reason="First.", manager=manager
    )
    Escalation.objects.bulk_create(
        Escalation(
            case=acme_case,
            level=Level.M2,
            channel=Channel.PHONE,
            requested_by=engineer,
            reason=f"Again {n}.",
            manager=director,
        )
        for n in range(count - 1)
    )
    client = browser_for(director)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:workspace", args=[acme_case.number]))

    assert response.status_code == 200
    assert response.content.decode().count('<li id="escalation-') == count
    assert response.content.decode().count(">Acknowledge</button>") == count - 1


@pytest.mark.parametrize("count", COUNTS)
def test_the_managers_list_costs_the_same_for_any_number_of_escalations(
    browser_for, manager, routed_to, django_assert_max_num_queries, count
):
    for _ in range(count):
        routed_to(manager)
    client = browser_for(manager)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("escalation:mine"))

    assert response.status_code == 200
    assert response.content.decode().count('<tr id="escalation-') == count
