"""The Enterprise Down page: the guide's questionnaire with its 24x7 contact person,
every field checked beside itself, refused (and explained) for an organization that may
not declare it, and usable from a phone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Plan
from cases.models import Channel, Severity
from escalation.models import EDownCategory, EnterpriseDownDeclaration
from notifications.models import OutboxEmail
from tests.factories import CaseFactory


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def edown_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("escalation:edown", args=[case.number])


def local(moment: datetime.datetime, zone: str) -> str:
    """What a person in ``zone`` types in a datetime-local input for ``moment``."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def answers():  # type: ignore[no-untyped-def]
    """``answers(**overrides)``: a complete questionnaire as the browser posts it."""

    def build(**overrides):  # type: ignore[no-untyped-def]
        return {
            "category": "server_unresponsive",
            "total_users": "400",
            "affected_users": "380",
            "actions_taken": "Restarted the application server twice; it stops again after 5 minutes.",
            "down_since": local(timezone.now() - datetime.timedelta(hours=2), "UTC"),
            "contact_name": "Carl Contact",
            "contact_phone": "+1 555 0100",
            "contact_pager": "+1 555 0199",
            "contact_email": "carl@acme.example",
            "contact_on_site": "on",
            "contact_speaks_english": "on",
            **overrides,
        }

    return build


def test_the_page_asks_the_guides_questions_with_the_five_categories(browser_for, alice, acme_case):
    response = browser_for(alice).get(edown_url(acme_case))

    assert response.status_code == 200
    body = text(response)
    for value, label in EDownCategory.choices:
        assert f'type="radio" name="category" value="{value}"' in body
        assert str(label).replace("'", "&#x27;") in body
    assert "Support works 24x7 until there is a working system or steady progress." in body
    assert "include any new contact details" in body
    assert 'type="datetime-local" name="down_since"' in body
    for name in ("total_users", "affected_users", "contact_name", "contact_phone", "contact_pager", "contact_email"):
        assert f'name="{name}"' in body
    assert 'type="checkbox" name="contact_on_site"' in body
    assert 'type="checkbox" name="contact_speaks_english"' in body
    assert "reachable 24x7, on site or by pager, speak English" in body
    # Usable from a phone: the page's own one-column styles, a viewport, big buttons.
    assert "css/escalation.css" in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert 'class="btn btn-danger btn-large"' in body


def test_the_case_page_links_to_it_for_an_eligible_organization(browser_for, alice, acme_case):
    body = text(browser_for(alice).get(reverse("cases:detail", args=[acme_case.number])))

    assert f'href="{edown_url(acme_case)}"' in body


def test_a_complete_declaration_makes_the_case_enterprise_down(browser_for, alice, acme_case, engineer, answers):
    client = browser_for(alice)

    response = client.post(edown_url(acme_case), answers())

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[acme_case.number])
    acme_case.refresh_from_db()
    assert acme_case.severity == Severity.ENTERPRISE_DOWN
    declaration = EnterpriseDownDeclaration.objects.get(case=acme_case)
    assert (declaration.category, declaration.total_users, declaration.affected_users) == (
        "server_unresponsive",
        400,
        380,
    )
    assert (declaration.contact_name, declaration.contact_phone, declaration.contact_email) == (
        "Carl Contact",
        "+1 555 0100",
        "carl@acme.example",
    )
    assert declaration.contact_on_site and declaration.contact_speaks_english
    assert (declaration.channel, declaration.declared_by) == (Channel.WEB, alice)
    assert OutboxEmail.objects.filter(to=engineer.email, template="edown_alert").exists()
    page = text(client.get(response["Location"]))
    assert f"Enterprise Down has been declared on case {acme_case.number}." in page
    assert '<span class="badge sev-enterprise_down">Enterprise Down</span>' in page


def test_down_since_is_read_in_the_users_own_time_zone(browser_for, alice, acme_case, answers):
    alice.timezone = "Asia/Seoul"
    alice.save(update_fields=["timezone"])
    moment = (timezone.now() - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)

    response = browser_for(alice).post(edown_url(acme_case), answers(down_since=local(moment, "Asia/Seoul")))

    assert response.status_code == 302
    assert EnterpriseDownDeclaration.objects.get(case=acme_case).down_since == moment


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"affected_users": "401"}, "affected_users", "Affected users cannot exceed the total number of users."),
        ({"down_since": "FUTURE"}, "down_since", "“Down since” must be in the past."),
        ({"contact_phone": ""}, "contact_phone", "Give the contact person&#x27;s phone number."),
        ({"category": ""}, "category", "Choose one of the five Enterprise Down categories."),
        ({"total_users": "0"}, "total_users", None),
        ({"actions_taken": "  "}, "actions_taken", None),
        ({"contact_email": "carl-at-acme"}, "contact_email", "Enter a valid e-mail address."),
        ({"down_since": "yesterday-ish"}, "down_since", None),
    ],
)
def test_each_bad_answer_is_shown_beside_its_field_and_nothing_changes(
    browser_for, alice, acme_case, answers, state_of, overrides, field, message
):
    if overrides.get("down_since") == "FUTURE":
        overrides = {"down_since": local(timezone.now() + datetime.timedelta(hours=2), "UTC")}
    before = state_of(acme_case)

    response = browser_for(alice).post(edown_url(acme_case), answers(**overrides))

    assert response.status_code == 400
    body = text(response)
    assert f'<ul class="field-error" id="id_{field}_error">' in body
    if message:
        assert message in body
    # What was typed stays in the form.
    assert 'value="Carl Contact"' in body or field == "contact_name"
    assert state_of(acme_case) == before


def test_with_htmx_the_questionnaire_comes_back_in_place_with_its_errors(browser_for, alice, acme_case, answers):
    response = browser_for(alice).post(
        edown_url(acme_case), answers(affected_users="999"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    body = text(response)
    assert body.startswith('<div id="edown-form"')
    assert '<ul class="field-error" id="id_affected_users_error">' in body


def test_with_htmx_a_declaration_sends_the_browser_to_the_case(browser_for, alice, acme_case, answers):
    response = browser_for(alice).post(edown_url(acme_case), answers(), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("cases:detail", args=[acme_case.number])


def test_an_ineligible_organization_is_told_which_condition_fails(browser_for, oscar, globex, answers):
    globex.plan = Plan.BASIC
    globex.save(update_fields=["plan"])
    case = CaseFactory(organization=globex, requester=oscar, status="open")
    client = browser_for(oscar)

    page = client.get(edown_url(case))
    refused = client.post(edown_url(case), answers())
    case_page = text(client.get(reverse("cases:detail", args=[case.number])))

    assert page.status_code == 403
    assert "Enterprise Down is reserved for organizations on the Enterprise support plan." in text(page)
    assert 'name="category"' not in text(page)
    assert refused.status_code == 403
    assert EnterpriseDownDeclaration.objects.count() == 0
    case.refresh_from_db()
    assert case.severity == Severity.MEDIUM
    assert f'href="{edown_url(case)}"' not in case_page
    assert "Enterprise Down is reserved for organizations on the Enterprise support plan." in case_page


def test_expired_maintenance_is_named_as_the_reason(browser_for, alice, acme, acme_case):
    acme.maintenance_until = timezone.localdate() - datetime.timedelta(days=3)
    acme.save(update_fields=["maintenance_until"])

    response = browser_for(alice).get(edown_url(acme_case))

    assert response.status_code == 403
    assert "the organization&#x27;s maintenance has expired" in text(response)


def test_a_case_already_enterprise_down_offers_no_second_declaration(browser_for, alice, make_case, answers):
    case = make_case(severity=Severity.ENTERPRISE_DOWN)
    client = browser_for(alice)

    page = client.get(edown_url(case))
    refused = client.post(edown_url(case), answers())

    assert page.status_code == 200
    assert "Enterprise Down is already declared on this case." in text(page)
    assert 'name="category"' not in text(page)
    assert refused.status_code == 409
    assert EnterpriseDownDeclaration.objects.count() == 0


def test_staff_declare_it_for_the_customer_after_a_call(browser_for, engineer, acme_case, answers):
    client = browser_for(engineer)
    workspace = text(client.get(reverse("cases:workspace", args=[acme_case.number])))

    response = client.post(edown_url(acme_case), answers())

    assert "Declare Enterprise Down for the customer" in workspace
    assert f'href="{edown_url(acme_case)}"' in workspace
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:workspace", args=[acme_case.number])
    declaration = EnterpriseDownDeclaration.objects.get(case=acme_case)
    assert (declaration.channel, declaration.declared_by) == (Channel.PHONE, engineer)


def test_with_htmx_a_declaration_made_meanwhile_refreshes_the_page_to_say_so(browser_for, alice, make_case, answers):
    case = make_case(severity=Severity.ENTERPRISE_DOWN)
    client = browser_for(alice)

    response = client.post(edown_url(case), answers(), headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert "Enterprise Down is already declared on this case." in text(client.get(edown_url(case)))
