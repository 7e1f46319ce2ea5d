"""Attachments: uploaded with a message (API multipart), stored under a clean name, and
downloaded only by those who may see them (browser GET /attachments/<id>/)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Attachment, Case, Message
from tests.factories import CustomerFactory


def messages_url(case) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/cases/{case.number}/messages/"


def raw_multipart(body: str, filename_header: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as a hostile client writes it (the test
    client would clean the name before sending)."""
    boundary = "----casetrackerboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n{body}\r\n'.encode(),
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; {filename_header}\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def download(client, attachment):  # type: ignore[no-untyped-def]
    """The response and its bytes (reading a file response to its end closes the file)."""
    response = client.get(f"/attachments/{attachment.pk}/")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


# --- Upload ---------------------------------------------------------------------------


def test_a_message_carries_its_attachments(api, alice, acme_case, upload):
    response = api(alice).post(
        messages_url(acme_case),
        {"body": "Logs attached.", "attachments": [upload("backup.log", b"ERROR at 40%\n"), upload("b.txt")]},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    first, second = response.json()["attachments"]
    attachment = Attachment.objects.get(pk=first["id"])
    assert first == {
        "id": attachment.pk,
        "name": "backup.log",
        "size": 13,
        "content_type": "text/plain",
        "url": f"/attachments/{attachment.pk}/",
    }
    assert second["name"] == "b.txt"
    listed = api(alice).get(messages_url(acme_case)).json()["results"]
    assert [a["name"] for a in listed[0]["attachments"]] == ["backup.log", "b.txt"]


def test_a_file_over_the_limit_is_refused_and_no_message_is_written(api, alice, acme_case, upload, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = api(alice).post(
        messages_url(acme_case),
        {"body": "Big file.", "attachments": [upload("big.log", b"x" * 11)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "attachments" in response.json()
    assert "big.log" in response.json()["attachments"][0]
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_at_the_limit_is_accepted(api, alice, acme_case, upload, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = api(alice).post(
        messages_url(acme_case),
        {"body": "Ten bytes.", "attachments": [upload("ok.log", b"x" * 10)]},
        format="multipart",
    )

    assert response.status_code == 201


def test_an_empty_file_is_refused_and_no_message_is_written(api, alice, acme_case, upload):
    response = api(alice).post(
        messages_url(acme_case), {"body": "Empty file.", "attachments": [upload("empty.log", b"")]}, format="multipart"
    )

    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_a_case_logged_with_a_refused_attachment_is_not_logged(api, alice, upload, settings, case_input):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = api(alice).post(
        "/api/v1/cases/", {**case_input(), "attachments": [upload("big.log", b"x" * 11)]}, format="multipart"
    )

    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Attachment.objects.exists()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "filename_header",
    [
        'filename="../../etc/passwd"',
        'filename="..\\\\..\\\\windows\\\\win.ini"',
        "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
        "filename*=UTF-8''report%0D%0ASet-Cookie%3A%20x%3D1.txt",
        "filename*=UTF-8''..%0A.%0D.txt",
        'filename="&#x2e;&#x2e;&#x2f;&#x2e;&#x2e;&#x2f;etc&#x2f;passwd"',
    ],
)
def test_a_hostile_file_name_is_stored_clean(api, alice, acme_case, filename_header, settings):
    payload, content_type = raw_multipart("See attached.", filename_header, b"root:x:0:0\n")

    response = api(alice).post(messages_url(acme_case), payload, content_type=content_type)

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    for name in (attachment.name, response.json()["attachments"][0]["name"]):
        assert "/" not in name and "\\" not in name
        assert "\r" not in name and "\n" not in name
        assert not name.startswith(".")
    stored = (settings.MEDIA_ROOT / attachment.file.name).resolve()
    assert stored.is_relative_to((settings.MEDIA_ROOT / "attachments").resolve())
    assert stored.read_bytes() == b"root:x:0:0\n"


def test_a_plain_traversal_name_keeps_its_last_part(api, alice, acme_case):
    payload, content_type = raw_multipart("See attached.", 'filename="../../etc/passwd"', b"root:x:0:0\n")

    response = api(alice).post(messages_url(acme_case), payload, content_type=content_type)

    assert response.status_code == 201, response.content
    assert Attachment.objects.get().name == "passwd"


# --- Download -------------------------------------------------------------------------


def test_a_member_of_the_organization_downloads_the_file(client, acme, public_attachment):
    client.force_login(CustomerFactory(email="bob@acme.example", name="Bob Acme", organization=acme))

    response, content = download(client, public_attachment)

    assert response.status_code == 200
    assert content == b"max_connections = 200\n"
    assert response["Content-Disposition"].startswith("attachment")
    assert "settings.conf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_html_file_is_served_as_opaque_bytes(client, alice, acme_case, engineer):
    message = services.add_message(
        case=acme_case,
        author=alice,
        body="The error page.",
        files=[SimpleUploadedFile("error.html", b"<script>alert(1)</script>", content_type="text/html")],
    )
    client.force_login(engineer)

    response, content = download(client, message.attachments.get())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content == b"<script>alert(1)</script>"


def test_a_customer_of_another_organization_gets_not_found(client, oscar, public_attachment):
    client.force_login(oscar)

    response, content = download(client, public_attachment)
    missing = client.get("/attachments/987654/")

    assert response.status_code == missing.status_code == 404
    assert b"max_connections" not in content


def test_an_attachment_on_an_internal_note_is_for_staff_only(client, alice, engineer, internal_attachment):
    client.force_login(alice)
    response, content = download(client, internal_attachment)
    assert response.status_code == 404
    assert b"secret rows" not in content

    client.force_login(engineer)
    response, content = download(client, internal_attachment)
    assert response.status_code == 200
    assert content == b"secret rows\n"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, public_attachment):
    response, content = download(client, public_attachment)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert b"max_connections" not in content
