"""Case text search (`q=`) on GET /api/v1/cases/, the staff dashboard and the Case Tracker.

On PostgreSQL the words are matched through the indexed, database-generated
``search_vector`` (whole words and word beginnings); on SQLite by LIKE. What a person
notices is the same on both: which cases come back, in which order, and never an error.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Case, Channel, Status
from cases.selectors import search_cases
from tests.factories import CaseFactory

URL = "/api/v1/cases/"
DASHBOARD_URL = "/staff/"
TRACKER_URL = "/cases/"


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:500]
    return [case["number"] for case in response.json()["results"]]


@pytest.fixture
def library(acme, globex, alice, oscar):  # type: ignore[no-untyped-def]
    """Cases whose words differ, oldest first."""
    return {
        "spooler": CaseFactory(
            organization=acme,
            requester=alice,
            title="Printer spooler crashes",
            description="The print SPOOLER service stops after the nightly update.",
            product="PrintHub",
        ),
        "certificate": CaseFactory(
            organization=acme,
            requester=alice,
            title="Expired certificate",
            description="TLS handshake fails: certificate expired on the gateway (error 0x80070005).",
            product="Gateway",
        ),
        "deadlock": CaseFactory(
            organization=acme,
            requester=alice,
            title="Database deadlock under load",
            description="Two batch jobs deadlock; see the attached log. Error 4711.",
            product="Vault",
        ),
        "globex": CaseFactory(
            organization=globex,
            requester=oscar,
            title="Globex certificate renewal",
            description="How do we renew the certificate of the portal?",
            product="Gateway",
        ),
    }


def keys(library, response) -> list[str]:  # type: ignore[no-untyped-def]
    by_number = {case.number: key for key, case in library.items()}
    return [by_number[number] for number in numbers(response)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("spooler", ["spooler"]),  # a word of the title
        ("SPOOLER nightly", ["spooler"]),  # any letter case; every word must match
        ("handshake", ["certificate"]),  # a word of the description only
        ("vault", ["deadlock"]),  # the product
        ("spool", ["spooler"]),  # the beginning of a word
        ("certificate", ["globex", "certificate"]),  # newest first
        ("0x80070005", ["certificate"]),  # an error code
        ("nothing-matches-this", []),
    ],
)
def test_staff_find_cases_by_their_words(api, engineer, library, q, expected):
    assert keys(library, api(engineer).get(URL, {"q": q})) == expected


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("certificate -globex", ["certificate"]),  # leave out a word
        ('"batch jobs"', ["deadlock"]),  # a phrase
        ('"jobs batch"', []),
        ("spooler or deadlock", ["deadlock", "spooler"]),
        ("print", ["spooler"]),  # "print", "printer", "PrintHub": one case
    ],
)
def test_staff_search_like_in_a_web_search_engine(api, engineer, library, q, expected):
    assert keys(library, api(engineer).get(URL, {"q": q})) == expected


@pytest.mark.parametrize("spelling", ["{number}", "{lower}", "C-{pk}", "c-{pk}", "#{pk}"])
def test_a_case_number_finds_exactly_that_case(api, engineer, library, spelling):
    case = library["deadlock"]
    q = spelling.format(number=case.number, lower=case.number.lower(), pk=case.pk)

    assert numbers(api(engineer).get(URL, {"q": q})) == [case.number]


@pytest.mark.postgres
def test_a_bare_number_finds_the_case_with_that_number_and_the_cases_that_mention_it(api, engineer, library):
    mentioned = library["deadlock"]  # "Error 4711."
    numbered = library["spooler"]
    Case.objects.filter(pk=mentioned.pk).update(description=f"Error {numbered.pk}.")

    assert sorted(numbers(api(engineer).get(URL, {"q": str(numbered.pk)}))) == sorted(
        [numbered.number, mentioned.number]
    )


def test_the_organizations_name_or_customer_number_finds_its_cases(api, engineer, library):
    globex_only = [library["globex"].number]

    assert numbers(api(engineer).get(URL, {"q": "GLOBEX-1"})) == globex_only
    assert numbers(api(engineer).get(URL, {"q": "globex-1"})) == globex_only
    assert numbers(api(engineer).get(URL, {"q": "Globex"})) == globex_only


def test_a_customer_never_finds_another_organizations_case(api, alice, oscar, library):
    assert keys(library, api(oscar).get(URL, {"q": "certificate"})) == ["globex"]
    assert numbers(api(oscar).get(URL, {"q": "Acme"})) == []
    assert numbers(api(oscar).get(URL, {"q": "ACME-1"})) == []
    assert numbers(api(oscar).get(URL, {"q": library["spooler"].number})) == []
    assert keys(library, api(alice).get(URL, {"q": "certificate"})) == ["certificate"]


def test_search_keeps_the_requested_order(api, engineer, library):
    Case.objects.filter(pk=library["globex"].pk).update(severity="low", severity_rank=4)
    Case.objects.filter(pk=library["certificate"].pk).update(severity="critical", severity_rank=1)

    by_number = api(engineer).get(URL, {"q": "certificate", "ordering": "number"})
    by_urgency = api(engineer).get(URL, {"q": "certificate", "ordering": "severity"})

    assert keys(library, by_number) == ["certificate", "globex"]
    assert keys(library, by_urgency) == ["certificate", "globex"]


def test_an_edited_case_is_found_by_its_new_words_only(api, engineer, library, alice):
    case = library["spooler"]
    case.title = "Scanner jams"
    case.description = "The scanner feeder jams on thick paper."
    case.save()
    Case.objects.filter(pk=library["deadlock"].pk).update(title="Lock timeout", description="Timeouts.")

    assert keys(library, api(engineer).get(URL, {"q": "scanner"})) == ["spooler"]
    assert keys(library, api(engineer).get(URL, {"q": "spooler"})) == []
    assert keys(library, api(engineer).get(URL, {"q": "timeout"})) == ["deadlock"]
    assert keys(library, api(engineer).get(URL, {"q": "deadlock"})) == []


def test_a_case_logged_through_the_service_is_found_at_once(api, alice, engineer, acme):
    case = services.log_case(
        actor=alice,
        title="Kerberos ticket refused",
        description="Every login answers KRB_AP_ERR_SKEW since Monday.",
        severity="high",
        request_type="incident",
        channel=Channel.API,
    )

    assert numbers(api(engineer).get(URL, {"q": "kerberos"})) == [case.number]
    assert numbers(api(alice).get(URL, {"q": "skew"})) == [case.number]


NASTY = [
    "'",
    '"',
    "\\",
    "''''",
    '"unclosed phrase',
    "a & b | !c",
    "!!!",
    "(((",
    ")",
    "foo:*",
    "foo:A",
    "<-> <2>",
    "-",
    "or",
    "- or -",
    "%_%",
    "C-",
    "C-99999999999999999999",
    "99999999999999999999",
    "#0",
    "0",
    "日本語 サーバー",
    "🔥 outage",
    "a" * 500,
    "é" * 300,
    "'); DROP TABLE cases_case; --",
    "http://example.com/a'b?c=d\\e",
    "o'brien's \\'quoted\\'",
]


@pytest.mark.parametrize("q", NASTY)
def test_queries_full_of_operators_and_quotes_are_answered(api, engineer, library, q):
    assert api(engineer).get(URL, {"q": q}).status_code == 200


def test_a_nul_character_is_refused_as_a_bad_value(api, browser_for, engineer, library):
    response = api(engineer).get(URL, {"q": "x\x00y"})

    assert response.status_code == 400
    assert "q" in response.json()
    assert browser_for(engineer).get(DASHBOARD_URL, {"q": "\x00"}).status_code == 400


@pytest.mark.parametrize("q", ["'", '"unclosed', "a & !b", "C-99999999999999999999", "🔥"])
def test_the_pages_answer_any_query(browser_for, engineer, alice, library, q):
    assert browser_for(engineer).get(DASHBOARD_URL, {"q": q}).status_code == 200
    assert browser_for(engineer).get(DASHBOARD_URL, {"q": q, "queue": "all"}).status_code == 200
    assert browser_for(alice).get(TRACKER_URL, {"q": q}).status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.sampled_from("ab '\"\\!&|():*<->-#C0123456789 éや\t%_"), max_size=40))
def test_any_text_is_a_valid_query(api, engineer, library, q):
    response = api(engineer).get(URL, {"q": q})

    assert response.status_code == 200, (q, response.content[:300])


def test_the_dashboard_and_the_tracker_search_the_same_way(browser_for, engineer, alice, library):
    def body(response) -> str:  # type: ignore[no-untyped-def]
        assert response.status_code == 200
        return response.content.decode()

    dashboard = body(browser_for(engineer).get(DASHBOARD_URL, {"queue": "all", "q": "spool"}))
    tracker = body(browser_for(alice).get(TRACKER_URL, {"q": "spool"}))

    for page in (dashboard, tracker):
        assert "Printer spooler crashes" in page
        assert "Expired certificate" not in page


@pytest.mark.postgres
def test_the_search_column_is_generated_by_the_database_and_indexed(library):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM cases_case WHERE id = %s", [library["spooler"].pk])
        (vector,) = cursor.fetchone()
        queryset = search_cases(Case.objects.order_by("-id"), "spooler nightly")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "'spooler':2A,7B" in vector  # in the title (weight A) and the description (B)
    assert "case_search" in plan  # the GIN index answers the words


@pytest.mark.postgres
def test_a_very_long_description_can_still_be_logged_and_found(api, alice, engineer, case_input):
    words = " ".join(f"w{n}x{n * 7919 % 100003}" for n in range(16000))  # ~200,000 characters, all distinct
    response = api(alice).post(URL, case_input(title="Huge log pasted", description=words[:100_000]), format="json")
    assert response.status_code == 201, response.content[:300]
    Case.objects.filter(pk=Case.objects.get(title="Huge log pasted").pk).update(description=words * 5)

    assert len(numbers(api(engineer).get(URL, {"q": "huge log"}))) == 1


def count_queries(client, url, params) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("who", "url", "params", "budget"),
    [
        # organizations matching the query, the planner's estimate (PostgreSQL), bounded
        # count, page
        ("engineer", URL, {"q": "printer"}, 4),
        ("alice", URL, {"q": "printer"}, 5),  # + the customer's organization ids
        ("engineer", URL, {"q": "Acme"}, 4),
        ("engineer", DASHBOARD_URL, {"q": "printer"}, 7),  # the dashboard's 6 + organizations
        ("engineer", DASHBOARD_URL, {"q": "printer", "queue": "all"}, 7),
        ("alice", TRACKER_URL, {"q": "printer"}, 9),  # count and hours in one query
    ],
)
def test_a_search_costs_a_fixed_number_of_queries(
    request, api, browser_for, acme, alice, engineer, who, url, params, budget, django_assert_max_num_queries, figure
):
    user = request.getfixturevalue(who)
    client = api(user) if url == URL else browser_for(user)

    def add(count: int) -> None:
        for n in range(count):
            CaseFactory(
                organization=acme, requester=alice, title=f"Printer fault {n}", status=Status.OPEN, assignee=engineer
            )

    add(3)
    few = count_queries(client, url, params)
    add(40)
    with django_assert_max_num_queries(budget):
        response = client.get(url, params)

    assert response.status_code == 200
    assert few <= budget
    figure(f"Search queries: {who} {url}?{'&'.join(f'{k}={v}' for k, v in params.items())}", f"{few} queries")
