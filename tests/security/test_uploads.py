"""Uploads: what a hostile file or file name can do to the store and to the people who
download it.

Files go in the way a client sends them (raw multipart, so the names arrive exactly as a
hostile client writes them) through the API and through the browser forms (the
customer's reply form, the staff workspace, the Case Logger). Every file that is kept is
stored under a generated name inside MEDIA_ROOT/attachments; its displayed name has no
directory, no control character, no bidirectional override. Every download is an
``attachment`` with ``nosniff``, a sandboxing CSP and a content type that a browser will
not render as a page, and only for people who may see the case: anyone else gets 404.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import Membership
from cases.downloads import SAFE_CONTENT_TYPES
from cases.models import Attachment, Case, Message
from tests.factories import CaseFactory, CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}(\.[a-z0-9]{1,15})?$")
# A browser would run or render these in the page's origin: never to be served.
RENDERABLE = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml", "text/javascript"}
BIDI_AND_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

SCRIPT_HTML = b"<!doctype html><html><body><script>fetch('http://127.0.0.1:9/beacon')</script></body></html>"
SCRIPT_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(document.domain)//\x00\x00;"
PDF_HTML = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"


@dataclass(frozen=True)
class Upload:
    """One file as a hostile client sends it: the raw Content-Disposition file name part."""

    label: str
    filename_header: str
    content: bytes
    content_type: str = "application/octet-stream"
    # Django's multipart parser drops a file whose name is nothing but dots: never stored.
    kept: bool = True


HOSTILE_FILES = [
    Upload("html with script", 'filename="report.html"', SCRIPT_HTML, "text/html"),
    Upload("svg with script", 'filename="diagram.svg"', SCRIPT_SVG, "image/svg+xml"),
    Upload("xhtml", 'filename="page.xhtml"', SCRIPT_HTML, "application/xhtml+xml"),
    Upload("gif+js polyglot", 'filename="pixel.gif"', GIF_JS, "image/gif"),
    Upload("pdf+html polyglot", 'filename="manual.pdf"', PDF_HTML, "application/pdf"),
    Upload("html called png", 'filename="screenshot.png"', SCRIPT_HTML, "image/png"),
    Upload("traversal", 'filename="../../../../etc/passwd"', b"root:x:0:0\n", "text/plain"),
    Upload("windows traversal", 'filename="..\\\\..\\\\windows\\\\win.ini"', b"[fonts]\n"),
    Upload("encoded traversal", "filename*=UTF-8''..%2F..%2F..%2Fsettings.py", b"SECRET_KEY = 1\n"),
    Upload("absolute path", 'filename="/var/lib/casetracker/media/attachments/x.txt"', b"x\n"),
    Upload("dot-dot only", 'filename=".."', b"dots\n", kept=False),
    Upload("hidden file", 'filename=".htaccess"', b"AddType text/html .txt\n"),
    Upload("crlf header", "filename*=UTF-8''log%0D%0AContent-Type%3A%20text%2Fhtml%0D%0A%0D%0A.txt", b"crlf\n"),
    Upload("nul byte", "filename*=UTF-8''notes.txt%00.html", b"nul\n", "text/html"),
    Upload("very long", 'filename="' + "a" * 900 + '.txt"', b"long\n", "text/plain"),
    Upload("rtl override", "filename*=UTF-8''invoice%E2%80%AEfdp.exe", b"MZ\x90\x00", "application/pdf"),
    Upload("zero width", "filename*=UTF-8''pay%E2%80%8Broll%EF%BB%BF.txt", b"zw\n", "text/plain"),
    Upload("unicode", "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E5%B1%A5%E5%8E%86.txt", b"cv\n", "text/plain"),
    Upload("fullwidth slash", "filename*=UTF-8''..%EF%BC%8F..%EF%BC%8Fetc%EF%BC%8Fpasswd", b"fw\n"),
    Upload("quote in name", 'filename="a\\";b=.html"', b"q\n", "text/html"),
    Upload("html content type", 'filename="plain.txt"', SCRIPT_HTML, "text/html; charset=utf-8"),
]


def multipart(fields: dict[str, str], files: list[Upload], field_name: str = "attachments") -> tuple[bytes, str]:
    """A multipart body with the file names exactly as written (the test client would
    clean them before sending)."""
    boundary = "----casetracker-h3-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for upload in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; {upload.filename_header}\r\n'
                f"Content-Type: {upload.content_type}\r\n\r\n"
            ).encode()
            + upload.content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def download(client: Client, attachment: Attachment):  # type: ignore[no-untyped-def]
    response = client.get(f"/attachments/{attachment.pk}/")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def files_under(root: Path) -> set[Path]:
    return {path.resolve() for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def unsafe_store(attachment: Attachment, media_root: Path) -> list[str]:
    """Why this stored attachment is unsafe (empty: it is fine)."""
    problems = []
    stored = (media_root / attachment.file.name).resolve()
    if not stored.is_relative_to((media_root / "attachments").resolve()):
        problems.append(f"stored outside MEDIA_ROOT/attachments: {stored}")
    if not STORED_NAME.match(attachment.file.name):
        problems.append(f"storage name not generated: {attachment.file.name!r}")
    name = attachment.name
    if any(ch in name for ch in "/\\") or name.startswith(".") or not name:
        problems.append(f"path in the name: {name!r}")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name) or BIDI_AND_INVISIBLE.search(name):
        problems.append(f"control, format or bidi character in the name: {name!r}")
    if len(name) > 255:
        problems.append(f"name too long: {len(name)}")
    return problems


def inline_render(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Why a browser could show this download inside our origin (empty: it cannot)."""
    problems = []
    disposition = response.get("Content-Disposition", "")
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if not disposition.startswith("attachment"):
        problems.append(f"Content-Disposition {disposition!r}")
    if "\r" in disposition or "\n" in disposition or "/" in disposition.partition("filename")[2]:
        problems.append(f"Content-Disposition carries a path or a line break: {disposition!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if content_type in RENDERABLE or content_type not in SAFE_CONTENT_TYPES | {"application/octet-stream"}:
        problems.append(f"Content-Type {content_type!r}")
    csp = response.get("Content-Security-Policy", "")
    if "sandbox" not in csp or "default-src 'none'" not in csp:
        problems.append(f"CSP {csp!r}")
    return problems


@pytest.fixture
def world(acme, alice, oscar, engineer, operator):  # type: ignore[no-untyped-def]
    """Acme's case; Bob (another Acme customer); Gina, a customer of Globex and Initech
    (not Acme); Oscar of Globex."""
    bob = CustomerFactory(email="bob@acme.example", name="Bob Acme", organization=acme)
    gina = CustomerFactory(
        email="gina@globex.example", name="Gina Two-Orgs", organization=oscar.memberships.get().organization
    )
    Membership.objects.create(user=gina, organization=OrganizationFactory(name="Initech"), is_primary=False)
    case = CaseFactory(organization=acme, requester=alice, status="open", assignee=engineer, title="Acme backups")
    return {"case": case, "bob": bob, "gina": gina}


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def post_as(user, path: str, fields: dict[str, str], files: list[Upload]):  # type: ignore[no-untyped-def]
    """POST as ``user`` (a user, or a client already signed in)."""
    client = user if isinstance(user, Client) else signed_in(user)
    body, content_type = multipart(fields, files)
    return client.post(path, body, content_type=content_type)


def test_hostile_files_and_names_are_stored_safely_and_only_ever_downloaded(
    world, alice, oscar, engineer, operator, settings, figure
):
    case = world["case"]
    media_root = Path(settings.MEDIA_ROOT)
    outside_before = files_under(media_root.parent) - files_under(media_root)
    as_alice, as_engineer = signed_in(alice), signed_in(engineer)
    doors = [
        # (who, path, fields): the API, the customer's reply form, the staff workspace.
        (as_alice, f"/api/v1/cases/{case.number}/messages/", {"body": "API upload"}),
        (as_alice, f"/cases/{case.number}/reply/", {"body": "Reply form upload"}),
        (as_engineer, f"/staff/cases/{case.number}/message/", {"body": "Workspace upload", "visibility": "public"}),
    ]
    uploads = kept = 0
    for user, path, fields in doors:
        for upload in HOSTILE_FILES:
            response = post_as(user, path, fields, [upload])
            assert response.status_code in (200, 201, 302), (upload.label, path, response.status_code)
            uploads += 1
            kept += upload.kept
    # A case logged through the API and through the Case Logger, with all of them at once.
    api_case = post_as(
        as_alice,
        "/api/v1/cases/",
        {"title": "Logged with files", "description": "See files.", "severity": "low", "request_type": "incident"},
        HOSTILE_FILES[:20],
    )
    assert api_case.status_code == 201, api_case.content
    uploads += 20
    kept += sum(upload.kept for upload in HOSTILE_FILES[:20])
    logger = post_as(
        as_alice,
        "/cases/new/",
        {"title": "Logged in the browser", "description": "See files.", "severity": "low", "request_type": "incident"},
        HOSTILE_FILES[:5],
    )
    assert logger.status_code == 302, logger.content
    uploads += 5
    kept += sum(upload.kept for upload in HOSTILE_FILES[:5])

    attachments = list(Attachment.objects.all())
    assert len(attachments) == kept
    unsafe = {a.pk: unsafe_store(a, media_root) for a in attachments if unsafe_store(a, media_root)}
    assert unsafe == {}
    # Nothing was written next to MEDIA_ROOT, and MEDIA_ROOT holds exactly the stored files.
    assert files_under(media_root.parent) - files_under(media_root) == outside_before
    assert files_under(media_root) == {(media_root / a.file.name).resolve() for a in attachments}
    by_label = {a.name for a in attachments}
    assert "passwd" in by_label  # a traversal keeps its last part only
    assert "invoicefdp.exe" in by_label  # the override is gone: the real extension shows
    assert "résumé 履历.txt" in by_label

    # Downloads: the right people get the file, as a download; everybody else a 404.
    allowed = [as_alice, as_engineer] + [signed_in(user) for user in (world["bob"], operator)]
    refused = [signed_in(user) for user in (oscar, world["gina"])]
    downloads = inline = unauthorized = 0
    for attachment in attachments:
        original = (media_root / attachment.file.name).read_bytes()
        for client in allowed:
            response, content = download(client, attachment)
            downloads += 1
            assert response.status_code == 200, attachment.name
            assert content == original
            problems = inline_render(response)
            inline += bool(problems)
            assert problems == [], (attachment.name, problems)
        for client in refused:
            response, content = download(client, attachment)
            downloads += 1
            unauthorized += response.status_code != 404 or content == original
        anonymous, content = download(Client(), attachment)
        downloads += 1
        unauthorized += anonymous.status_code != 302 or content == original
        assert anonymous["Location"].startswith("/accounts/login/")
    assert unauthorized == 0
    figure(
        "Uploads",
        f"{uploads} uploads, {len(unsafe)} unsafe stores, {inline} inline renders, "
        f"{unauthorized} unauthorized downloads ({downloads} download attempts)",
    )


def test_an_internal_note_attachment_is_for_staff_only(world, alice, engineer, operator):
    case = world["case"]
    response = post_as(
        engineer,
        f"/staff/cases/{case.number}/message/",
        {"body": "DB dump", "visibility": "internal"},
        [Upload("dump", 'filename="dump.sql"', b"secret rows\n")],
    )
    assert response.status_code in (200, 302)
    attachment = Attachment.objects.get()
    assert attachment.internal

    for user, status in ((alice, 404), (world["bob"], 404), (engineer, 200), (operator, 200)):
        client = Client()
        client.force_login(user)
        got, content = download(client, attachment)
        assert got.status_code == status, user.email
        assert (b"secret rows" in content) == (status == 200)
    # The customer cannot find it through the API either.
    client = Client()
    client.force_login(alice)
    assert b"dump.sql" not in client.get(f"/api/v1/cases/{case.number}/messages/").content


@pytest.mark.parametrize(
    "door", ["/api/v1/cases/{number}/messages/", "/cases/{number}/reply/", "/staff/cases/{number}/message/"]
)
def test_oversize_empty_and_too_many_files_are_refused_and_nothing_is_written(world, alice, engineer, settings, door):
    case = world["case"]
    media_root = Path(settings.MEDIA_ROOT)
    path = door.format(number=case.number)
    user = engineer if door.startswith("/staff/") else alice
    fields = {"body": "Files", "visibility": "public"}
    settings.ATTACHMENT_MAX_BYTES = 64 * 1024
    refused = [
        [Upload("over", 'filename="big.log"', b"x" * (64 * 1024 + 1))],
        [Upload("empty", 'filename="empty.log"', b"")],
        [Upload("ok", 'filename="ok.log"', b"fine\n"), Upload("empty", 'filename="empty.log"', b"")],
        [Upload(f"n{i}", f'filename="f{i}.log"', b"x\n") for i in range(21)],
        # A name longer than the multipart parser reads: the whole request is refused.
        [Upload("huge name", 'filename="' + "a" * 20_000 + '.txt"', b"x\n")],
    ]
    for files in refused:
        response = post_as(user, path, fields, files)
        assert response.status_code in (400, 422, 200), response.status_code
        if response.status_code == 200:  # the form comes back with the error
            assert b"attachments_error" in response.content or b"field-error" in response.content
    assert not Attachment.objects.exists()
    assert not Message.objects.exists()
    assert files_under(media_root) == set()


def test_a_file_over_the_real_limit_is_refused(world, alice, settings):
    case = world["case"]
    body_size = settings.ATTACHMENT_MAX_BYTES + 1
    response = post_as(
        alice,
        f"/api/v1/cases/{case.number}/messages/",
        {"body": "Huge"},
        [Upload("huge", 'filename="core.dump"', b"\0" * body_size)],
    )
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Attachment.objects.exists()
    assert Case.objects.get(pk=case.pk).message_count == case.message_count
