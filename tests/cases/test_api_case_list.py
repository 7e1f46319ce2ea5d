"""GET /api/v1/cases/: the paginated list, its filters, who sees what, and its cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Channel
from tests.factories import CaseFactory

URL = "/api/v1/cases/"


@pytest.fixture
def cases(acme, globex, alice, oscar, engineer, manager):  # type: ignore[no-untyped-def]
    """A handful of cases of Acme and one of Globex, each different in one way."""
    return {
        "backup": CaseFactory(organization=acme, requester=alice, title="Nightly backup fails", status="open"),
        "login": CaseFactory(
            organization=acme,
            requester=alice,
            title="Login page slow",
            severity="critical",
            assignee=engineer,
        ),
        "key": CaseFactory(
            organization=acme, requester=alice, title="Key for staging", request_type="license_key", tier="L2"
        ),
        "escalated": CaseFactory(
            organization=acme,
            requester=alice,
            title="Cluster split brain",
            escalation_level="M1",
            assignee=manager,
            status="waiting_on_customer",
        ),
        "closed": CaseFactory(
            organization=acme,
            requester=alice,
            title="Old backup question",
            status="closed",
            severity="low",
        ),
        "globex": CaseFactory(organization=globex, requester=oscar, title="Globex backup secret", status="open"),
    }


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.json()
    return [case["number"] for case in response.json()["results"]]


def names(cases, *keys: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [cases[key].number for key in keys]


def test_the_list_is_a_page_envelope(api, engineer, cases):
    response = api(engineer).get(URL, {"page_size": 2})

    body = response.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 6
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]
    second = api(engineer).get(body["next"]).json()
    assert second["previous"] is not None


def test_the_newest_case_comes_first(api, engineer, cases):
    assert numbers(api(engineer).get(URL)) == names(cases, "globex", "closed", "escalated", "key", "login", "backup")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["globex", "backup"]),
        ({"status": ["new", "waiting_on_customer"]}, ["escalated", "key", "login"]),
        ({"severity": "critical"}, ["login"]),
        ({"request_type": "license_key"}, ["key"]),
        ({"tier": "L2"}, ["key"]),
        ({"escalation_level": "M1"}, ["escalated"]),
        ({"q": "backup"}, ["globex", "closed", "backup"]),
        ({"q": "nightly BACKUP"}, ["backup"]),
        ({"q": "nothing-matches-this"}, []),
    ],
)
def test_staff_filter_the_list(api, engineer, cases, params, expected):
    assert numbers(api(engineer).get(URL, params)) == names(cases, *expected)


def test_staff_filter_by_organization_and_assignee(api, engineer, manager, acme, globex, cases):
    assert numbers(api(engineer).get(URL, {"organization": globex.pk})) == names(cases, "globex")
    assert numbers(api(engineer).get(URL, {"assignee": engineer.pk})) == names(cases, "login")
    assert numbers(api(engineer).get(URL, {"assignee": manager.pk, "organization": acme.pk})) == names(
        cases, "escalated"
    )


def test_searching_for_a_case_number_finds_exactly_that_case(api, engineer, cases):
    number = cases["key"].number

    assert numbers(api(engineer).get(URL, {"q": number})) == [number]
    assert numbers(api(engineer).get(URL, {"q": number.lower()})) == [number]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("number", ["backup", "login", "key", "escalated", "closed", "globex"]),
        ("-number", ["globex", "closed", "escalated", "key", "login", "backup"]),
    ],
)
def test_the_list_is_ordered_by_number_on_request(api, engineer, cases, ordering, expected):
    assert numbers(api(engineer).get(URL, {"ordering": ordering})) == names(cases, *expected)


def test_the_list_is_ordered_by_urgency_on_request(api, engineer, cases):
    response = api(engineer).get(URL, {"ordering": "severity"})

    severities = [case["severity"] for case in response.json()["results"]]
    rank = ["enterprise_down", "critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=rank.index)
    assert (severities[0], severities[-1]) == ("critical", "low")


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "bogus"),
        ("severity", "urgent"),
        ("request_type", "complaint"),
        ("tier", "L9"),
        ("escalation_level", "M3"),
        ("organization", "acme"),
        ("assignee", "erin"),
        ("ordering", "password"),
    ],
)
def test_an_invalid_filter_value_is_refused_naming_it(api, engineer, cases, param, value):
    response = api(engineer).get(URL, {param: value})

    assert response.status_code == 400
    assert param in response.json()


def test_a_customer_sees_only_their_organizations_cases(api, alice, cases):
    result = numbers(api(alice).get(URL))

    assert cases["globex"].number not in result
    assert sorted(result) == sorted(names(cases, "backup", "login", "key", "escalated", "closed"))


def test_a_customer_asking_for_another_organization_gets_nothing(api, oscar, acme, cases):
    response = api(oscar).get(URL, {"organization": acme.pk})

    assert response.json()["count"] == 0
    assert numbers(response) == []


def test_a_customer_searching_another_organizations_case_number_gets_nothing(api, oscar, cases):
    assert numbers(api(oscar).get(URL, {"q": cases["backup"].number})) == []
    assert numbers(api(oscar).get(URL, {"q": "backup"})) == names(cases, "globex")


def count_queries(client, url, params):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["alice", "engineer"])
def test_the_list_costs_the_same_queries_for_5_or_40_cases(
    api, request, who, acme, alice, engineer, django_assert_max_num_queries
):
    client = api(request.getfixturevalue(who))
    for _ in range(5):
        CaseFactory(organization=acme, requester=alice, assignee=engineer)
    few = count_queries(client, URL, {"page_size": 100})

    for _ in range(35):
        CaseFactory(organization=acme, requester=alice, assignee=engineer)
    with django_assert_max_num_queries(few):
        response = client.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == 40


@pytest.mark.parametrize("who", ["alice", "engineer"])
def test_the_messages_cost_the_same_queries_for_5_or_40(
    api, request, who, acme_case, alice, engineer, upload, django_assert_max_num_queries
):
    client = api(request.getfixturevalue(who))
    url = f"/api/v1/cases/{acme_case.number}/messages/"

    def write(count: int) -> None:
        for index in range(count):
            author = alice if index % 2 else engineer
            services.add_message(
                case=acme_case,
                author=author,
                body=f"message {index}",
                internal=index % 3 == 0 and author == engineer,
                channel=Channel.API,
                files=[upload(f"f{index}.txt")],
                notify=False,
            )

    write(5)
    few = count_queries(client, url, {"page_size": 100})
    write(35)
    with django_assert_max_num_queries(few):
        response = client.get(url, {"page_size": 100})

    assert response.json()["count"] >= 20
