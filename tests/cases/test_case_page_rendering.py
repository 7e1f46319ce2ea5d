"""The case pages print each message, date, time entry and form field as they always
have, though the rows are now prepared in Python (page_selectors) and the empty forms'
fields are rendered once and reused."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cases.models import Attachment, Case, Channel, Message, RequestType, Status, TimeEntry

WHEN = datetime.datetime(2025, 6, 7, 12, 5, tzinfo=datetime.UTC)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.number])


def printed(value: datetime.datetime, *, language: str, zone: str) -> str:
    """The ``<time>`` Django's own date filters print for ``value``."""
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        local = timezone.localtime(value)
        full = date_format(local, "DATETIME_FORMAT")
    return f'<time datetime="{local.isoformat()}" title="{full}">{full}</time>'


def test_the_thread_prints_authors_flags_channels_bodies_and_files(browser_for, alice, engineer, acme_case):
    alice.name = "Alice <i>Acme</i>"
    alice.save()
    asked = Message.objects.create(case=acme_case, author=alice, body="Is it **down**?", body_html="<p>Down?</p>")
    mailed = Message.objects.create(
        case=acme_case, author=engineer, body="By mail", body_html="<p>By mail</p>", channel=Channel.EMAIL
    )
    note = Message.objects.create(case=acme_case, author=engineer, body="n", body_html="<p>Note</p>", internal=True)
    plain = Message.objects.create(case=acme_case, author=None, body="Line <b>one</b>\nline two", body_html="")
    for message, name in ((mailed, "trace.log"), (mailed, "dump.txt"), (note, "secret.txt")):
        Attachment.objects.create(
            case=acme_case, message=message, file=f"attachments/{name}", name=name, size=2048, internal=message.internal
        )
    files = {file.name: reverse("cases:attachment", args=[file.pk]) for file in Attachment.objects.all()}

    workspace = text(browser_for(engineer).get(url("workspace", acme_case)))

    assert f'<li id="message-{asked.pk}" class="message customer">' in workspace
    assert '<span class="author">Alice &lt;i&gt;Acme&lt;/i&gt;</span>' in workspace
    assert (
        f'<li id="message-{mailed.pk}" class="message staff"> <div class="message-header"> '
        '<span class="author">Erin Engineer</span> <span>Support</span>'
    ) in workspace
    assert "<span>via E-mail</span>" in workspace
    assert f'<li id="message-{note.pk}" class="message internal">' in workspace
    assert '<span class="message-flag">Internal note</span>' in workspace
    assert f'<li id="message-{plain.pk}" class="message customer">' in workspace
    assert '<span class="author">Former user</span>' in workspace
    assert '<div class="message-body"><p>Line &lt;b&gt;one&lt;/b&gt;<br>line two</p></div>' in workspace
    assert (
        f'<li><a href="{files["trace.log"]}" download>trace.log</a> <span class="muted">(2.0 KB)</span></li> '
        f'<li><a href="{files["dump.txt"]}" download>dump.txt</a>'
    ) in workspace
    assert f'href="{files["secret.txt"]}"' in workspace
    assert workspace.count('<li id="message-') == 4

    page = text(browser_for(alice).get(url("detail", acme_case)))

    assert page.count('<li id="message-') == 3
    assert "Note" not in page and "secret.txt" not in page
    assert f'href="{files["trace.log"]}"' in page


def test_dates_follow_the_viewers_language_and_time_zone(browser_for, engineer, make_case):
    case = make_case(status=Status.OPEN, created_at=WHEN, updated_at=WHEN)
    moments = [WHEN, WHEN.replace(hour=0, minute=0), WHEN.replace(hour=12, minute=0), WHEN.replace(hour=23, minute=59)]
    for moment in moments:
        Message.objects.create(case=case, author=engineer, body="m", body_html="<p>m</p>", created_at=moment)
    TimeEntry.objects.create(case=case, engineer=engineer, minutes=5, created_at=moments[1])
    client = browser_for(engineer)

    for language, _name in settings.LANGUAGES:
        for zone in ("UTC", "Asia/Kathmandu", "America/St_Johns"):
            engineer.language, engineer.timezone = language, zone
            engineer.save()

            body = client.get(url("workspace", case)).content.decode()

            for moment in moments:
                assert printed(moment, language=language, zone=zone) in body, (language, zone, moment)


def test_the_time_logged_shows_when_who_and_what(browser_for, engineer, acme_case):
    TimeEntry.objects.create(case=acme_case, engineer=engineer, minutes=25, note="Read <the> logs", created_at=WHEN)

    body = text(browser_for(engineer).get(url("workspace", acme_case)))

    assert (
        f'<td class="nowrap">{printed(WHEN, language="en", zone="UTC")}</td> '
        '<td>Erin Engineer<div class="small muted">Read &lt;the&gt; logs</div></td> <td class="num">25</td> <td>no</td>'
    ) in body


def test_an_empty_form_shown_before_does_not_keep_another_forms_errors(browser_for, engineer, acme_case):
    client = browser_for(engineer)
    client.get(url("workspace", acme_case))

    refused = client.post(url("tier", acme_case), {"tier": "l2", "note": ""})

    assert refused.status_code == 400
    assert '<div class="form-row has-error field-note">' in text(refused)
    assert '<ul class="field-error" id="tier_note_error">' in text(refused)
    again = text(client.get(url("workspace", acme_case)))
    assert "Write a hand-over note for the next tier." not in again
    assert "has-error" not in again


def test_the_forms_follow_the_viewers_language_and_the_case(browser_for, engineer, make_case):
    incident = make_case(status=Status.OPEN)
    consultation = make_case(status=Status.OPEN, request_type=RequestType.CONSULTATION)
    client = browser_for(engineer)
    english = text(client.get(url("workspace", incident)))
    engineer.language = "fr"
    engineer.save()

    french = text(client.get(url("workspace", incident)))
    billable = client.get(url("workspace", consultation)).content.decode()

    assert "Hand-over note" in english and "Hand-over note" not in french
    with translation.override("fr"):
        assert translation.gettext("Hand-over note") in french
    assert '<input type="checkbox" name="billable" id="time_billable">' in english
    assert '<input type="checkbox" name="billable" id="time_billable" checked>' in billable


def test_a_closed_case_offers_its_reopen_form_on_both_pages(browser_for, alice, engineer, make_case):
    case = make_case(status=Status.CLOSED, closed_at=timezone.now())

    for user, page in ((engineer, "workspace"), (alice, "detail")):
        body = text(browser_for(user).get(url(page, case)))

        assert f'action="{url("reopen", case)}"' in body, page
        assert "Why should the case be reopened?" in body, page
        assert 'name="reason"' in body, page
