"""POST/GET /cases/{number}/messages/: public messages, internal notes and safe Markdown."""

from __future__ import annotations

import pytest

from cases.models import Message


def messages_url(case) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/cases/{case.number}/messages/"


@pytest.fixture
def conversation(api, alice, engineer, acme_case):  # type: ignore[no-untyped-def]
    """A customer question, an internal note and a staff answer on Acme's case."""
    api(alice).post(messages_url(acme_case), {"body": "Backups still fail."}, format="json")
    api(engineer).post(messages_url(acme_case), {"body": "Kernel 3.10: unsupported.", "internal": True}, format="json")
    api(engineer).post(messages_url(acme_case), {"body": "Please upgrade the kernel."}, format="json")
    return acme_case


def test_staff_read_the_whole_correspondence_oldest_first(api, engineer, conversation):
    response = api(engineer).get(messages_url(conversation))

    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= body.keys()
    assert [(m["body"], m["internal"]) for m in body["results"]] == [
        ("Backups still fail.", False),
        ("Kernel 3.10: unsupported.", True),
        ("Please upgrade the kernel.", False),
    ]
    first = body["results"][0]
    assert {"id", "author", "body", "internal", "channel", "created_at", "attachments"} <= first.keys()
    assert first["channel"] == "api"


def test_customers_never_see_internal_notes(api, alice, conversation):
    body = api(alice).get(messages_url(conversation)).json()

    assert [m["body"] for m in body["results"]] == ["Backups still fail.", "Please upgrade the kernel."]
    assert body["count"] == 2
    assert "Kernel 3.10" not in str(body)


def test_an_internal_note_is_not_emailed_to_anyone(
    api, engineer, alice, make_case, mailoutbox, django_capture_on_commit_callbacks
):
    case = make_case(status="open", assignee=engineer)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(engineer).post(
            messages_url(case), {"body": "Looks like a known bug.", "internal": True}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["internal"] is True
    assert mailoutbox == []


def test_an_internal_note_does_not_move_the_case(api, engineer, make_case):
    case = make_case(status="new")

    api(engineer).post(messages_url(case), {"body": "Triage later.", "internal": True}, format="json")

    case.refresh_from_db()
    assert case.status == "new"
    assert case.first_response_at is None


def test_a_first_public_staff_answer_opens_a_new_case(api, engineer, make_case):
    case = make_case(status="new")

    api(engineer).post(messages_url(case), {"body": "Looking into it."}, format="json")

    case.refresh_from_db()
    assert case.status == "open"


def test_a_customer_cannot_write_an_internal_note(api, alice, acme_case):
    response = api(alice).post(messages_url(acme_case), {"body": "Psst.", "internal": True}, format="json")

    assert response.status_code == 400
    assert "internal" in response.json()
    assert not Message.objects.exists()


def test_an_empty_message_is_refused(api, alice, acme_case):
    response = api(alice).post(messages_url(acme_case), {"body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Message.objects.exists()


def test_markdown_is_rendered(api, alice, acme_case):
    api(alice).post(
        messages_url(acme_case), {"body": "**Urgent**: see [the log](https://example.com/log)"}, format="json"
    )

    html = Message.objects.get().body_html
    assert "<strong>Urgent</strong>" in html
    assert 'href="https://example.com/log"' in html


@pytest.mark.parametrize(
    "body",
    [
        "Hello <script>alert('x')</script> there",
        "[click me](javascript:alert('x'))",
        '<a href="javascript:alert(1)">click</a>',
        '<img src=x onerror="alert(1)">',
        "[click](JaVaScRiPt:alert(1))",
    ],
)
def test_markdown_never_carries_scripts(api, alice, acme_case, body):
    response = api(alice).post(messages_url(acme_case), {"body": body}, format="json")

    assert response.status_code == 201
    html = Message.objects.get().body_html.lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert response.json()["body"] == body, "the text as written is kept"


def test_a_customer_of_another_organization_cannot_read_or_write(api, oscar, conversation):
    assert api(oscar).get(messages_url(conversation)).status_code == 404
    response = api(oscar).post(messages_url(conversation), {"body": "Hi Acme!"}, format="json")
    assert response.status_code == 404
    assert Message.objects.filter(body="Hi Acme!").count() == 0
