"""The staff workspace: the whole case with internal notes, and the engineer's forms."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Message, RequestType, Status, TimeEntry
from notifications.models import OutboxEmail


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.number])


def test_the_workspace_shows_the_case_with_internal_notes_marked_and_the_engineers_forms(
    browser_for, engineer, acme_case
):
    services.add_message(case=acme_case, author=engineer, body="Looks like the index.", internal=True)

    response = browser_for(engineer).get(url("workspace", acme_case))

    assert response.status_code == 200
    body = text(response)
    assert acme_case.title in body
    assert '<li id="message-' in body and 'class="message internal"' in body
    assert '<span class="message-flag">Internal note</span>' in body
    assert "Looks like the index." in body
    for name in ("workspace_message", "request_info", "propose_solution", "assign", "tier", "time"):
        assert f'action="{url(name, acme_case)}"' in body, name
    assert 'name="visibility" value="public"' in body and 'name="visibility" value="internal"' in body
    assert "Assign to me" in body
    assert f'href="{url("detail", acme_case)}"' in body
    assert "alice@acme.example" in body  # the requester's address, for staff


def test_an_internal_note_stays_off_the_customers_page(browser_for, engineer, alice, acme_case):
    response = browser_for(engineer).post(
        url("workspace_message", acme_case), {"body": "Do not tell the customer yet", "visibility": "internal"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("workspace", acme_case)
    note = Message.objects.get()
    assert note.internal is True
    assert "Do not tell the customer yet" in text(browser_for(engineer).get(url("workspace", acme_case)))
    assert "Do not tell the customer yet" not in text(browser_for(alice).get(url("detail", acme_case)))
    assert not OutboxEmail.objects.filter(to=alice.email).exists()


def test_a_public_reply_reaches_the_customer(browser_for, engineer, alice, make_case):
    case = make_case(status=Status.NEW)

    response = browser_for(engineer).post(
        url("workspace_message", case), {"body": "We are on it.", "visibility": "public"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert OutboxEmail.objects.filter(to=alice.email, template="staff_reply").exists()
    assert "We are on it." in text(browser_for(alice).get(url("detail", case)))


def test_a_message_without_its_button_choice_is_refused(browser_for, engineer, acme_case):
    response = browser_for(engineer).post(url("workspace_message", acme_case), {"body": "Which one?"})

    assert response.status_code == 400
    assert "Choose “Send reply” or “Save internal note”." in text(response)
    assert Message.objects.count() == 0


def test_with_htmx_a_note_swaps_the_thread_in_place(browser_for, engineer, acme_case):
    response = browser_for(engineer).post(
        url("workspace_message", acme_case),
        {"body": "Quick note", "visibility": "internal"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = text(response)
    assert body.startswith('<section id="thread"')
    assert "Quick note" in body
    assert '<form id="message-form"' in body


def test_requesting_information_waits_on_the_customer(browser_for, engineer, alice, acme_case):
    response = browser_for(engineer).post(url("request_info", acme_case), {"body": "Which version?"})

    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert acme_case.status == Status.WAITING_ON_CUSTOMER
    assert OutboxEmail.objects.filter(to=alice.email, template="info_requested").exists()


def test_proposing_a_solution_asks_the_customer_to_confirm(browser_for, engineer, alice, acme_case):
    client = browser_for(engineer)

    empty = client.post(url("propose_solution", acme_case), {"body": ""})
    response = client.post(url("propose_solution", acme_case), {"body": "Apply patch 7.2.1."})

    assert empty.status_code == 400
    assert '<ul class="field-error" id="solution_body_error">' in text(empty)
    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert acme_case.status == Status.SOLUTION_PROPOSED
    assert "Confirm solution" in text(browser_for(alice).get(url("detail", acme_case)))


def test_an_engineer_assigns_the_case_to_themselves_or_to_a_colleague(browser_for, engineer, manager, acme_case):
    client = browser_for(engineer)

    client.post(url("assign", acme_case), {"assignee": engineer.pk})
    acme_case.refresh_from_db()
    assert acme_case.assignee == engineer

    client.post(url("assign", acme_case), {"assignee": manager.pk})
    acme_case.refresh_from_db()
    assert acme_case.assignee == manager


def test_handing_over_needs_a_note(browser_for, engineer, acme_case):
    client = browser_for(engineer)

    missing = client.post(url("tier", acme_case), {"tier": "L2", "note": ""})
    same = client.post(url("tier", acme_case), {"tier": "L1", "note": "Nothing changes"})
    response = client.post(url("tier", acme_case), {"tier": "L2", "note": "Needs a DBA."})

    assert missing.status_code == 400
    assert "Write a hand-over note for the next tier." in text(missing)
    assert same.status_code == 400
    assert '<ul class="field-error" id="tier_tier_error">' in text(same)
    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert acme_case.tier == "L2"
    assert "Needs a DBA." in text(client.get(url("workspace", acme_case)))


def test_time_is_logged_and_added_up_billable_by_default_for_consultations(browser_for, engineer, make_case):
    case = make_case(status=Status.OPEN, request_type=RequestType.CONSULTATION)
    client = browser_for(engineer)

    page = text(client.get(url("workspace", case)))
    assert '<input type="checkbox" name="billable" id="time_billable" checked>' in page

    client.post(url("time", case), {"minutes": "45", "billable": "on", "note": "Workshop"})
    client.post(url("time", case), {"minutes": "15", "note": "Travel"})
    bad = client.post(url("time", case), {"minutes": "0"})

    entries = list(TimeEntry.objects.order_by("id").values_list("minutes", "billable"))
    assert entries == [(45, True), (15, False)]
    case.refresh_from_db()
    assert (case.spent_minutes, case.billable_minutes) == (60, 45)
    assert bad.status_code == 400
    assert '<ul class="field-error" id="time_minutes_error">' in text(bad)
    page = text(client.get(url("workspace", case)))
    assert "Workshop" in page and "1.0 hours in total." in page


def test_an_incident_is_not_billable_by_default(browser_for, engineer, acme_case):
    page = text(browser_for(engineer).get(url("workspace", acme_case)))

    assert '<input type="checkbox" name="billable" id="time_billable">' in page


def test_an_operator_writes_messages_but_does_not_work_the_case(browser_for, operator, acme_case):
    client = browser_for(operator)

    page = text(client.get(url("workspace", acme_case)))
    note = client.post(url("workspace_message", acme_case), {"body": "Customer called", "visibility": "internal"})
    refused = client.post(url("request_info", acme_case), {"body": "Which version?"})

    assert f'action="{url("workspace_message", acme_case)}"' in page
    for name in ("request_info", "propose_solution", "assign", "tier", "time"):
        assert f'action="{url(name, acme_case)}"' not in page, name
    assert note.status_code == 302
    assert refused.status_code == 403
    acme_case.refresh_from_db()
    assert acme_case.status == Status.OPEN


def test_a_closed_case_offers_reopening_to_the_engineer(browser_for, engineer, make_case):
    case = make_case(status=Status.CLOSED, closed_at=timezone.now())
    client = browser_for(engineer)

    page = text(client.get(url("workspace", case)))
    refused = client.post(url("assign", case), {"assignee": engineer.pk})
    response = client.post(url("reopen", case), {"reason": "Customer called back"})

    assert f'action="{url("workspace_message", case)}"' not in page
    assert f'action="{url("reopen", case)}"' in page
    assert refused.status_code == 409
    assert "Reopen it before assigning it." in text(refused)
    assert response.status_code == 302
    assert response["Location"] == url("workspace", case)
    case.refresh_from_db()
    assert case.status == Status.OPEN
