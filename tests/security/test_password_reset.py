"""Password reset: a one-time link by e-mail, built on SITE_URL, that tells nobody which
addresses have an account.

A forged ``Host`` is refused (400) by ALLOWED_HOSTS; even with every host allowed and a
forged ``X-Forwarded-Host`` believed, the link in the mail still points to SITE_URL. The
link works once; a stranger cannot flood a mailbox (3 mails per account and hour, and the
answer is the same page whether a mail left or not). The mail goes through the outbox
and reaches the account's address only (a real SMTP server on loopback).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from notifications.models import OutboxEmail
from tests.factories import PASSWORD, CustomerFactory
from tests.smtp_sink import smtp_sink  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"
NEW_PASSWORD = "a much longer passphrase 8817"
SITE_URL = "https://support.vendor.example"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/password-reset/[^\s\"<>]+/")


@pytest.fixture(autouse=True)
def _site_url(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE_URL


def ask_for_reset(client, email: str, capture, **headers: str):  # type: ignore[no-untyped-def]
    """POST the form as a browser would and run what follows the commit (the delivery)."""
    with capture(execute=True):
        return client.post(RESET, {"email": email}, **headers)


def reset_mails(to: str | None = None) -> list[OutboxEmail]:
    rows = OutboxEmail.objects.filter(template="password_reset").order_by("id")
    return list(rows.filter(to=to) if to else rows)


def link_in(mail: OutboxEmail) -> str:
    links = set(LINK.findall(mail.body_text)) | set(LINK.findall(mail.body_html))
    assert len(links) == 1, links
    return links.pop()


def path_of(link: str) -> str:
    assert link.startswith(SITE_URL + "/"), link
    return link[len(SITE_URL) :]


def test_the_login_page_links_to_the_reset_page_which_asks_for_an_address(client):
    login = client.get("/accounts/login/")
    assert login.status_code == 200
    assert f'href="{RESET}"'.encode() in login.content

    page = client.get(RESET)
    assert page.status_code == 200
    assert b'name="email"' in page.content and b"csrfmiddlewaretoken" in page.content
    assert b'class="card card-narrow"' in page.content  # the login page's layout


def test_known_and_unknown_addresses_get_the_same_answer(client, alice, django_capture_on_commit_callbacks):
    known = ask_for_reset(client, "alice@acme.example", django_capture_on_commit_callbacks)
    unknown = ask_for_reset(client, "nobody@acme.example", django_capture_on_commit_callbacks)
    badly_cased = ask_for_reset(client, "ALICE@Acme.Example", django_capture_on_commit_callbacks)

    for response in (known, unknown, badly_cased):
        assert response.status_code == 302
        assert response["Location"] == SENT
    known_page = client.get(SENT)
    assert known_page.status_code == 200
    assert b"password-reset-sent" in known_page.content
    assert [mail.to for mail in reset_mails()] == ["alice@acme.example", "alice@acme.example"]


def test_an_inactive_account_gets_no_mail_and_the_same_answer(client, alice, django_capture_on_commit_callbacks):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = ask_for_reset(client, alice.email, django_capture_on_commit_callbacks)

    assert (response.status_code, response["Location"]) == (302, SENT)
    assert reset_mails() == []


def test_a_forged_host_is_refused_and_sends_nothing(client, alice, django_capture_on_commit_callbacks):
    response = ask_for_reset(client, alice.email, django_capture_on_commit_callbacks, HTTP_HOST="attacker.test")

    assert response.status_code == 400
    assert reset_mails() == []


@pytest.mark.parametrize("use_forwarded_host", [False, True])
def test_the_link_points_to_site_url_whatever_the_request_says(
    client, alice, settings, django_capture_on_commit_callbacks, use_forwarded_host
):
    # The worst configuration: every host allowed, the proxy's headers believed.
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = use_forwarded_host

    response = ask_for_reset(
        client,
        alice.email,
        django_capture_on_commit_callbacks,
        HTTP_HOST="attacker.test",
        HTTP_X_FORWARDED_HOST="attacker.test:8443",
        HTTP_X_FORWARDED_PROTO="http",
        HTTP_ORIGIN="http://attacker.test",
    )

    assert response.status_code == 302
    (mail,) = reset_mails()
    assert link_in(mail).startswith(SITE_URL + "/accounts/password-reset/")
    for text in (mail.subject, mail.body_text, mail.body_html):
        assert "attacker" not in text


def test_the_link_works_once(client, alice, django_capture_on_commit_callbacks):
    elsewhere = Client()  # a session somebody else opened with the old password
    assert elsewhere.login(username=alice.email, password=PASSWORD)
    token = Client().post("/api/v1/auth/token/", {"email": alice.email, "password": PASSWORD}).json()["token"]
    ask_for_reset(client, alice.email, django_capture_on_commit_callbacks)
    link = path_of(link_in(reset_mails()[0]))

    # The token moves from the URL into the session (so it is not sent on as a Referer).
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    form = client.get(opened["Location"])
    assert form.status_code == 200 and b'name="new_password1"' in form.content
    done = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/done/"
    assert b"password-reset-complete" in client.get(done["Location"]).content

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and not alice.check_password(PASSWORD)
    # The old password's sessions end with it.
    assert elsewhere.get("/cases/")["Location"].startswith("/accounts/login/")
    # And so do the API tokens issued under it.
    assert Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401

    # The same link a second time, in a fresh browser: refused, the password stays.
    client.logout()
    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert b"password-reset-invalid" in again.content
    assert b'name="new_password1"' not in again.content
    forced = client.post(
        link.rsplit("/", 2)[0] + "/set-password/", {"new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    assert b"password-reset-invalid" in forced.content
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.login(username=alice.email, password=NEW_PASSWORD)


def test_a_made_up_or_altered_token_is_refused(client, alice, django_capture_on_commit_callbacks):
    ask_for_reset(client, alice.email, django_capture_on_commit_callbacks)
    link = path_of(link_in(reset_mails()[0]))
    uid, token = link.strip("/").split("/")[-2:]
    altered = token[:-1] + ("0" if token[-1] != "0" else "1")

    for path in (f"{RESET}{uid}/{altered}/", f"{RESET}{uid}/set-password/", f"{RESET}Zm9v/{token}/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200
        assert b"password-reset-invalid" in response.content


def test_a_weak_new_password_is_refused(client, alice, django_capture_on_commit_callbacks):
    ask_for_reset(client, alice.email, django_capture_on_commit_callbacks)
    form_url = client.get(path_of(link_in(reset_mails()[0])))["Location"]

    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert b"new_password2_error" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_mailbox_cannot_be_flooded_and_the_answer_does_not_tell(client, alice, django_capture_on_commit_callbacks):
    answers = [ask_for_reset(client, alice.email, django_capture_on_commit_callbacks) for _ in range(6)]

    assert {(a.status_code, a["Location"]) for a in answers} == {(302, SENT)}
    assert len(reset_mails(alice.email)) == 3


def test_the_mail_reaches_only_the_account_in_its_language(
    client,
    smtp_sink,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    korean = CustomerFactory(email="minji@acme.example", name="Minji\r\nBcc: evil@attacker.test", language="ko")

    ask_for_reset(client, korean.email, django_capture_on_commit_callbacks)

    (delivery,) = smtp_sink.deliveries
    assert delivery.rcpt_tos == ["minji@acme.example"]
    message = delivery.message
    assert message["To"] == "minji@acme.example"
    assert message["Bcc"] is None and message["Cc"] is None
    assert message["Subject"] == "Case Tracker 비밀번호 재설정"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert path_of(LINK.search(text).group(0)).startswith(RESET)
    assert OutboxEmail.objects.get().status == "sent"
    assert User.objects.get(pk=korean.pk).check_password(PASSWORD)
