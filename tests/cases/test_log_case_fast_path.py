"""POST /api/v1/cases/ on its fast path (issue #8): what a caller sees is unchanged.

The cheaper path builds each serializer's fields once per class, asks one membership
question instead of two, keeps the SLA targets in a per-process copy, queues the
confirmation without a savepoint and converts Markdown with one reusable converter.
These tests hold it to what the slower path answered: the same response, rows and
e-mail, SLA targets that follow the admin at once, and a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory
from rest_framework.utils.serializer_helpers import BindingDict

from cases.models import Case, CaseEvent, Status
from cases.serializers import CaseSerializer
from casetracker.markup import render_markdown
from notifications.models import OutboxEmail
from sla.models import ClockKind, SlaTarget
from sla.selectors import forget_targets, target_for
from tests.factories import CaseFactory

URL = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _fresh_sla_copy():  # type: ignore[no-untyped-def]
    """Each test starts as a new process would: no SLA targets in memory."""
    forget_targets()
    yield
    forget_targets()


def post_case(client, body, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client.post(URL, body, format="json")


def serialized_the_usual_way(case: Case, user) -> dict:  # type: ignore[no-untyped-def]
    """The output of ``CaseSerializer`` with its fields built by DRF on the spot."""
    request = APIRequestFactory().get("/")
    request.user = user
    serializer = CaseSerializer(case, context={"request": request})
    fields = BindingDict(serializer)
    for name, field in serializers.ModelSerializer.get_fields(serializer).items():
        fields[name] = field
    serializer.__dict__["fields"] = fields
    return json.loads(JSONRenderer().render(serializer.data))


# --- What the caller sees --------------------------------------------------------------


def test_a_logged_case_answers_201_with_the_same_body_as_before(
    api, alice, acme, case_input, django_capture_on_commit_callbacks
):
    response = post_case(api(alice), case_input(), django_capture_on_commit_callbacks)

    assert response.status_code == 201, response.json()
    case = Case.objects.select_related("organization", "requester", "assignee").get()
    assert response.json() == serialized_the_usual_way(case, alice)
    assert response.json()["organization"] == {"id": acme.pk, "name": "Acme", "customer_number": "ACME-1"}
    assert response.json()["due"]["first_response"] is not None


def test_it_writes_the_case_its_created_event_and_one_confirmation_mailed_after_commit(
    api, alice, case_input, mailoutbox, django_capture_on_commit_callbacks
):
    response = post_case(
        api(alice), case_input(description="Steps:\n\n1. run `backup`\n2. wait"), django_capture_on_commit_callbacks
    )

    case = Case.objects.get()
    assert response.json()["number"] == case.number
    assert case.description_html == "<p>Steps:</p>\n<ol>\n<li>run <code>backup</code></li>\n<li>wait</li>\n</ol>"
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["created"]
    [row] = OutboxEmail.objects.all()
    assert (row.to, row.template, row.case_number) == ("alice@acme.example", "case_logged", case.number)
    [mail] = mailoutbox
    assert mail.to == ["alice@acme.example"]
    assert case.number in mail.subject


def test_the_same_fields_serve_staff_and_customers_without_mixing_them_up(alice, engineer, acme):
    case = CaseFactory(organization=acme, requester=alice, assignee=engineer, spr_number="SPR-42", spr_escalated=True)
    closed = CaseFactory(organization=acme, requester=alice, status=Status.CLOSED)

    # Interleaved instances (the fields are shared prototypes, each instance binds copies)
    for _ in range(2):
        for person in (engineer, alice):
            for each in (case, closed):
                each = Case.objects.select_related("organization", "requester", "assignee").get(pk=each.pk)
                request = APIRequestFactory().get("/")
                request.user = person
                fast = json.loads(JSONRenderer().render(CaseSerializer(each, context={"request": request}).data))
                assert fast == serialized_the_usual_way(each, person)

    request = APIRequestFactory().get("/")
    request.user = alice
    listed = CaseSerializer(Case.objects.order_by("id"), many=True, context={"request": request}).data
    assert [row["spr_number"] for row in listed] == ["", ""]
    assert listed[1]["due"] == {"first_response": None, "next_update": None}


def test_a_refused_body_is_refused_as_before(api, alice, case_input):
    response = api(alice).post(URL, case_input(severity="enterprise_down", title=""), format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"title"}
    assert not Case.objects.exists() and not OutboxEmail.objects.exists()


def test_markdown_from_one_reused_converter_is_what_a_fresh_one_gives():
    texts = [
        "see [the log][1]\n\n[1]: https://example.com/log",
        "[the log][1] with no definition any more",
        "```\nfenced\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "1. one\n\n   * nested\n3. three",
        "line one\nline two <script>alert(1)</script>",
    ]
    first = [render_markdown(text) for text in texts]
    assert [render_markdown(text) for text in reversed(texts)] == list(reversed(first))
    assert 'href="https://example.com/log"' in first[0] and "href" not in first[1]
    assert "<script>" not in first[4] and "<br" in first[4]


# --- Queries --------------------------------------------------------------------------


def test_logging_a_case_runs_a_fixed_small_number_of_queries(
    api, alice, case_input, django_assert_max_num_queries, django_capture_on_commit_callbacks, figure
):
    client = api(alice)
    post_case(client, case_input(), django_capture_on_commit_callbacks)  # the SLA targets are now in memory

    # savepoint, the membership (with its organization), the case, its event, the outbox
    # row, release: no second membership check, no SLA read, no savepoint for the outbox
    with django_capture_on_commit_callbacks() as after_commit:
        with django_assert_max_num_queries(6) as captured:
            response = client.post(URL, case_input(title="Second"), format="json")

    assert response.status_code == 201, response.json()
    assert len(after_commit) == 1  # the confirmation's hand-over to the broker
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "accounts_membership"' in text for text in sql) == 1
    assert not any("sla_slatarget" in text for text in sql)
    figure(
        "POST /api/v1/cases/ queries",
        f"{len(sql)} in the test transaction (10 before issue #8); in production 7 with token auth, BEGIN, COMMIT (was 11)",
    )


# --- The SLA targets in memory follow the admin ---------------------------------------


def test_a_target_changed_in_the_admin_applies_to_the_next_case(
    api, alice, case_input, django_capture_on_commit_callbacks
):
    client = api(alice)
    post_case(client, case_input(severity="critical"), django_capture_on_commit_callbacks)
    assert target_for(plan="enterprise", severity="critical").first_response_minutes == 120

    SlaTarget.objects.update_or_create(
        plan="enterprise",
        severity="critical",
        defaults={"first_response_minutes": 30, "next_update_minutes": 60, "clock": ClockKind.ALWAYS},
    )
    response = post_case(client, case_input(severity="critical"), django_capture_on_commit_callbacks)

    case = Case.objects.get(pk=Case.objects.order_by("-id").values_list("id", flat=True)[0])
    assert response.json()["number"] == case.number
    assert case.first_response_due_at - case.created_at == dt.timedelta(minutes=30)

    SlaTarget.objects.filter(plan="enterprise", severity="critical").delete()
    assert target_for(plan="enterprise", severity="critical").first_response_minutes == 120  # the default


def test_a_target_change_that_rolls_back_is_never_served_from_memory(db):
    before = target_for(plan="basic", severity="low").first_response_minutes

    with transaction.atomic():
        SlaTarget.objects.update_or_create(
            plan="basic", severity="low", defaults={"first_response_minutes": 7, "next_update_minutes": 7}
        )
        assert target_for(plan="basic", severity="low").first_response_minutes == 7  # its own change
        transaction.set_rollback(True)

    assert target_for(plan="basic", severity="low").first_response_minutes == before
