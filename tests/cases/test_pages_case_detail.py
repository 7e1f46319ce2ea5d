"""The customer's case page: the case, its thread and history, and what the customer
can do (reply, confirm, withdraw, reopen), with and without JavaScript."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Channel, CloseReason, Message, Status
from notifications.models import OutboxEmail


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.number])


def test_the_case_page_shows_the_case_its_thread_and_its_history(browser_for, alice, acme, engineer, upload):
    case = services.log_case(
        actor=alice,
        title="Reports <b>empty</b>",
        description="Since **Monday** the reports are empty.<script>alert(1)</script>",
        severity="high",
        request_type="incident",
        product="Vault",
        version="7.2",
    )
    services.add_message(case=case, author=engineer, body="Please send the *log*.", files=[upload("hint.txt", b"see")])

    response = browser_for(alice).get(url("detail", case))

    assert response.status_code == 200
    body = text(response)
    assert f'<span class="case-number">{case.number}</span> Reports &lt;b&gt;empty&lt;/b&gt;' in body
    assert "<strong>Monday</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "Please send the <em>log</em>." in body
    attachment = case.attachments.get()
    assert f'<a href="{reverse("cases:attachment", args=[attachment.pk])}" download>hint.txt</a>' in body
    assert '<span class="badge status-open">Open</span>' in body
    assert '<span class="badge sev-high">High</span>' in body
    for fact in ("Acme", "ACME-1", "Incident", "Vault 7.2", "L1 — first line", "Hours spent", "Erin Engineer"):
        assert fact in body, fact
    # The history: logged, then the status change the engineer's reply caused.
    assert "Case logged" in body
    assert "Status changed" in body and "New → Open" in body
    assert f'href="{reverse("cases:billing", args=[acme.pk])}"' in body
    assert f'action="{url("reply", case)}"' in body


def test_a_customer_reply_puts_a_waiting_case_back_to_open(browser_for, alice, make_case, engineer):
    case = make_case(status=Status.WAITING_ON_CUSTOMER, assignee=engineer)
    client = browser_for(alice)

    response = client.post(url("reply", case), {"body": "Here is the log you asked for."})

    assert response.status_code == 302
    assert response["Location"] == url("detail", case)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    message = Message.objects.get(case=case)
    assert (message.author, message.channel, message.internal) == (alice, Channel.WEB, False)
    assert OutboxEmail.objects.filter(to=engineer.email, template="customer_message").exists()
    page = text(client.get(response["Location"]))
    assert "Your message has been added to the case." in page
    assert "Here is the log you asked for." in page


def test_an_empty_reply_is_shown_beside_the_field(browser_for, alice, acme_case):
    response = browser_for(alice).post(url("reply", acme_case), {"body": " "})

    assert response.status_code == 400
    body = text(response)
    assert '<ul class="field-error" id="reply_body_error">' in body
    assert "Write a message." in body
    assert Message.objects.count() == 0


def test_with_htmx_a_reply_swaps_the_thread_in_place(browser_for, alice, acme_case):
    response = browser_for(alice).post(
        url("reply", acme_case), {"body": "Swapped in place"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert body.startswith('<section id="thread"')
    assert "Swapped in place" in body
    assert '<form id="reply-form"' in body and 'hx-swap-oob="true"' in body
    assert '<div id="messages" class="messages-region" role="status" aria-live="polite" hx-swap-oob="true">' in body


def test_with_htmx_an_invalid_reply_returns_the_form_with_its_errors(browser_for, alice, acme_case):
    response = browser_for(alice).post(url("reply", acme_case), {"body": ""}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#reply-form"
    assert response["HX-Reswap"] == "outerHTML"
    body = text(response)
    assert body.startswith('<form id="reply-form"')
    assert "Write a message." in body


def test_confirming_a_proposed_solution_closes_the_case(browser_for, alice, make_case):
    case = make_case(status=Status.SOLUTION_PROPOSED)
    client = browser_for(alice)
    page = text(client.get(url("detail", case)))
    assert f'action="{url("confirm", case)}"' in page
    assert "Confirm solution" in page

    response = client.post(url("confirm", case))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Status.CLOSED, CloseReason.CONFIRMED)
    assert "The case is now closed." in text(client.get(url("detail", case)))


def test_there_is_no_confirm_button_without_a_proposed_solution(browser_for, alice, acme_case):
    client = browser_for(alice)

    assert "Confirm solution" not in text(client.get(url("detail", acme_case)))
    response = client.post(url("confirm", acme_case))

    assert response.status_code == 409
    assert "There is no proposed solution to confirm on this case." in text(response)
    acme_case.refresh_from_db()
    assert acme_case.status == Status.OPEN


def test_a_customer_can_withdraw_a_case_with_a_reason(browser_for, alice, acme_case):
    response = browser_for(alice).post(url("withdraw", acme_case), {"reason": "Fixed it myself."})

    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert (acme_case.status, acme_case.close_reason) == (Status.CLOSED, CloseReason.WITHDRAWN)
    assert acme_case.events.filter(note="Fixed it myself.").exists()


def test_a_closed_case_offers_reopening_instead_of_a_reply(browser_for, alice, make_case):
    case = make_case(status=Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=3))
    client = browser_for(alice)

    page = text(client.get(url("detail", case)))

    assert f'action="{url("reply", case)}"' not in page
    assert f'action="{url("reopen", case)}"' in page

    missing_reason = client.post(url("reopen", case), {"reason": ""})
    assert missing_reason.status_code == 400
    assert '<ul class="field-error" id="reopen_reason_error">' in text(missing_reason)

    response = client.post(url("reopen", case), {"reason": "It broke again."})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_a_case_closed_long_ago_can_no_longer_be_reopened(browser_for, alice, make_case):
    case = make_case(status=Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=31))
    client = browser_for(alice)

    page = text(client.get(url("detail", case)))
    response = client.post(url("reopen", case), {"reason": "Please"})

    assert f'action="{url("reopen", case)}"' not in page
    assert "can no longer be reopened" in page
    assert response.status_code == 409
    assert "closed more than 30 days ago" in text(response)
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_reply_on_a_case_closed_meanwhile_is_refused_with_the_reason(browser_for, alice, make_case):
    case = make_case(status=Status.CLOSED, closed_at=timezone.now())

    plain = browser_for(alice).post(url("reply", case), {"body": "Still there?"})
    htmx = browser_for(alice).post(url("reply", case), {"body": "Still there?"}, headers={"HX-Request": "true"})

    assert plain.status_code == 409
    assert "This case is closed. Reopen it to continue the conversation." in text(plain)
    assert htmx.status_code == 409
    assert htmx["HX-Refresh"] == "true"
    assert Message.objects.count() == 0


def test_staff_see_the_customers_view_without_internal_notes_and_a_link_to_the_workspace(
    browser_for, engineer, acme_case
):
    services.add_message(case=acme_case, author=engineer, body="Customer seems confused", internal=True)

    response = browser_for(engineer).get(url("detail", acme_case))

    assert response.status_code == 200
    body = text(response)
    assert f'href="{url("workspace", acme_case)}"' in body
    assert "Customer seems confused" not in body
    assert f'action="{url("reply", acme_case)}"' not in body


def test_the_page_has_a_print_layout_and_a_hook_for_more_customer_actions(browser_for, alice, acme_case):
    body = text(browser_for(alice).get(url("detail", acme_case)))

    assert '<p class="print-only">Case of Acme (ACME-1)</p>' in body
    assert '<div id="customer-actions" class="no-print">' in body
