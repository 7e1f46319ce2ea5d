"""The header's language switcher: profile for signed-in users, cookie for visitors."""

from accounts.models import User


def test_a_signed_in_user_switches_language_from_the_header(browser_for, alice):
    client = browser_for(alice)
    response = client.post("/accounts/language/", {"language": "ko", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert User.objects.get(pk=alice.pk).language == "ko"
    page = client.get("/cases/")
    assert page["Content-Language"] == "ko"


def test_a_visitor_gets_the_language_cookie(client, db):
    response = client.post("/accounts/language/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    page = client.get("/accounts/login/")
    assert '<html lang="fr"' in page.content.decode()


def test_an_unknown_language_changes_nothing_and_never_redirects_away(browser_for, alice):
    client = browser_for(alice)
    response = client.post("/accounts/language/", {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(pk=alice.pk).language == "en"


def test_every_page_offers_the_switcher(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/accounts/language/"' in html
    for code in ("en", "ko", "zh-hans", "fr", "ru"):
        assert f'value="{code}"' in html
