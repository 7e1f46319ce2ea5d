"""POST /api/v1/cases/{number}/edown/: Enterprise Down, declared on an existing case of an
eligible organization with the guide's questionnaire; the case tops every queue and the
engineers and their managers hear of it at once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Role, Tier
from cases.models import Case, parse_case_number
from escalation.models import EnterpriseDownDeclaration
from tests.factories import StaffFactory


def edown_url(case: Case) -> str:
    return f"cases/{case.number}/edown/"


def test_an_eligible_customer_declares_enterprise_down(post, alice, acme_case, edown_body):
    body = edown_body()

    response = post(alice, edown_url(acme_case), body)

    assert response.status_code == 201, response.json()
    assert response.json()["case"]["severity"] == "enterprise_down"
    acme_case.refresh_from_db()
    assert acme_case.severity == "enterprise_down"
    assert acme_case.severity_rank == 0


def test_the_declaration_keeps_every_answer_of_the_questionnaire(post, alice, acme_case, edown_body):
    body = edown_body()

    post(alice, edown_url(acme_case), body)

    declaration = EnterpriseDownDeclaration.objects.get(case=acme_case)
    assert declaration.declared_by == alice
    assert declaration.category == "server_unresponsive"
    assert (declaration.total_users, declaration.affected_users) == (400, 380)
    assert declaration.actions_taken == body["actions_taken"]
    assert declaration.down_since == parse_datetime(body["down_since"])
    assert (declaration.contact_name, declaration.contact_phone, declaration.contact_pager) == (
        "Carl Contact",
        "+1 555 0100",
        "+1 555 0199",
    )
    assert declaration.contact_email == "carl@acme.example"
    assert declaration.contact_on_site is True
    assert declaration.contact_speaks_english is True
    assert declaration.channel in {"web", "api"}
    assert declaration.ended_at is None


def test_the_declaration_is_on_the_timeline(post, alice, acme_case, edown_body, events_of):
    post(alice, edown_url(acme_case), edown_body())

    [event] = events_of(alice, acme_case, kind="edown")
    assert (event["before"], event["after"]) == ("medium", "enterprise_down")
    assert event["actor"]["id"] == alice.pk


def test_the_assigned_engineer_and_their_manager_get_one_alert_each(post, alice, acme_case, edown_body, mailoutbox):
    post(alice, edown_url(acme_case), edown_body())

    assert sorted(mail.to[0] for mail in mailoutbox) == ["erin@vendor.example", "max@vendor.example"]
    assert all(len(mail.to) == 1 for mail in mailoutbox)
    assert all(acme_case.number in mail.subject for mail in mailoutbox)
    assert all("Carl Contact" in mail.body for mail in mailoutbox)


def test_an_unassigned_case_alerts_the_on_duty_engineers_and_their_managers(
    post, alice, make_case, engineer, mia, mo, edown_body, mailoutbox
):
    # Given Erin (Max's) and Eli (Mia's) on duty, and Uma (Mo's) away
    StaffFactory(email="eli@vendor.example", name="Eli Engineer", role=Role.ENGINEER, tier=Tier.L2, manager=mia)
    StaffFactory(
        email="uma@vendor.example", name="Uma Away", role=Role.ENGINEER, tier=Tier.L1, manager=mo, available=False
    )
    case = make_case(assignee=None)

    # When Alice declares Enterprise Down
    response = post(alice, edown_url(case), edown_body())

    # Then the engineers on duty and their managers get one alert each; nobody else
    assert response.status_code == 201, response.json()
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "eli@vendor.example",
        "erin@vendor.example",
        "max@vendor.example",
        "mia@vendor.example",
    ]
    assert all(case.number in mail.subject for mail in mailoutbox)


def test_an_enterprise_down_case_tops_the_staff_queue(post, api, alice, manager, make_case, acme_case, edown_body):
    make_case(severity="critical")

    post(alice, edown_url(acme_case), edown_body())

    queue = api(manager).get("/api/v1/cases/?ordering=severity").json()["results"]
    assert queue[0]["number"] == acme_case.number
    assert queue[0]["severity"] == "enterprise_down"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"plan": "basic"}, "plan"),
        ({"plan": "standard"}, "plan"),
        ({"production": False}, "production"),
        ({"maintenance_until": None}, "maintenance"),
        ({"maintenance_until": "yesterday"}, "maintenance"),
    ],
    ids=["basic-plan", "standard-plan", "not-production", "no-maintenance", "maintenance-expired"],
)
def test_an_ineligible_organization_is_told_which_condition_fails(
    post, alice, acme, acme_case, edown_body, change, words, state_of, mailoutbox
):
    # Given Acme fails one condition of eligibility
    for field, value in change.items():
        if value == "yesterday":
            value = timezone.localdate() - datetime.timedelta(days=1)
        setattr(acme, field, value)
    acme.save()
    before = state_of(acme_case)

    # When Alice declares Enterprise Down
    response = post(alice, edown_url(acme_case), edown_body())

    # Then she is refused with the reason, and nothing changes
    assert response.status_code == 403
    assert words in response.json()["detail"].lower()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_maintenance_ending_today_is_still_active(post, alice, acme, acme_case, edown_body):
    acme.maintenance_until = timezone.localdate()
    acme.save()

    response = post(alice, edown_url(acme_case), edown_body())

    assert response.status_code == 201, response.json()


def _future() -> str:
    return (timezone.now() + datetime.timedelta(hours=1)).isoformat()


def _contact(**changes: object) -> dict[str, object]:
    contact: dict[str, object] = {
        "name": "Carl Contact",
        "phone": "+1 555 0100",
        "email": "carl@acme.example",
        "on_site": True,
        "speaks_english": False,
    }
    contact.update(changes)
    return {key: value for key, value in contact.items() if value is not None}


@pytest.mark.parametrize(
    ("overrides", "field", "subfield"),
    [
        ({"affected_users": 401}, "affected_users", None),
        ({"total_users": 0}, "total_users", None),
        ({"affected_users": -1}, "affected_users", None),
        ({"down_since": "future"}, "down_since", None),
        ({"down_since": "last tuesday"}, "down_since", None),
        ({"category": "coffee_machine_broken"}, "category", None),
        ({"actions_taken": ""}, "actions_taken", None),
        ({"contact": _contact(phone=None)}, "contact", "phone"),
        ({"contact": _contact(phone="")}, "contact", "phone"),
        ({"contact": _contact(email="carl at acme")}, "contact", "email"),
        ({"contact": _contact(name=None)}, "contact", "name"),
        ({"contact": None}, "contact", None),
    ],
    ids=[
        "affected-above-total",
        "no-users",
        "negative-affected",
        "down-in-the-future",
        "down-since-not-a-date",
        "unknown-category",
        "no-actions",
        "contact-without-phone",
        "contact-with-blank-phone",
        "contact-with-bad-email",
        "contact-without-name",
        "no-contact",
    ],
)
def test_a_bad_answer_is_refused_naming_the_field_and_nothing_changes(
    post, alice, acme_case, edown_body, overrides, field, subfield, state_of, mailoutbox
):
    body = edown_body(**overrides)
    if body["down_since"] == "future":
        body["down_since"] = _future()
    if body["contact"] is None:
        del body["contact"]
    before = state_of(acme_case)

    response = post(alice, edown_url(acme_case), body)

    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    if subfield is not None:
        assert subfield in errors[field], errors
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_declaring_twice_is_a_conflict(post, alice, acme_case, edown_body, state_of):
    post(alice, edown_url(acme_case), edown_body())
    before = state_of(acme_case)

    response = post(alice, edown_url(acme_case), edown_body())

    assert response.status_code == 409
    assert "detail" in response.json()
    assert state_of(acme_case) == before
    assert EnterpriseDownDeclaration.objects.filter(case=acme_case).count() == 1


def test_a_closed_case_cannot_be_declared_enterprise_down(post, alice, make_case, edown_body, state_of, mailoutbox):
    case = make_case(status="closed")
    before = state_of(case)

    response = post(alice, edown_url(case), edown_body())

    assert response.status_code == 409
    assert state_of(case) == before
    assert mailoutbox == []


@pytest.mark.parametrize("staff_name", ["operator", "engineer"])
def test_staff_declare_it_for_the_customer_right_after_logging_the_call(request, post, alice, edown_body, staff_name):
    staff = request.getfixturevalue(staff_name)
    # Given a phone call logged on Alice's behalf
    logged = post(
        staff,
        "cases/",
        {
            "title": "ERP down",
            "description": "Nobody can log in.",
            "severity": "critical",
            "request_type": "incident",
            "channel": "phone",
            "requester": alice.pk,
        },
    )
    assert logged.status_code == 201, logged.json()
    number = logged.json()["number"]

    # When the same person declares Enterprise Down on the call
    response = post(staff, f"cases/{number}/edown/", edown_body(channel="phone"))

    # Then the case is Enterprise Down, recorded as the phone call it was
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=parse_case_number(number))
    assert case.severity == "enterprise_down"
    declaration = EnterpriseDownDeclaration.objects.get(case=case)
    assert (declaration.declared_by, declaration.channel) == (staff, "phone")


def test_a_customer_cannot_pretend_to_be_a_phone_call(post, alice, acme_case, edown_body, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(alice, edown_url(acme_case), edown_body(channel="phone"))

    assert response.status_code == 400
    assert "channel" in response.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_enterprise_down_is_never_chosen_when_logging_a_case(post, alice):
    response = post(
        alice,
        "cases/",
        {
            "title": "All down",
            "description": "Nothing works.",
            "severity": "enterprise_down",
            "request_type": "incident",
        },
    )

    assert response.status_code == 400
    assert "severity" in response.json()
    assert not Case.objects.exists()


def test_an_outsider_cannot_declare_it(post, oscar, acme_case, edown_body, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(oscar, edown_url(acme_case), edown_body())

    assert response.status_code == 404
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_declaring_again_after_staff_lowered_it_supersedes_the_old_declaration(
    post, alice, manager, acme_case, edown_body
):
    post(alice, edown_url(acme_case), edown_body())
    lowered = post(manager, f"cases/{acme_case.number}/severity/", {"severity": "high", "reason": "Restored."})
    assert lowered.status_code == 200

    response = post(alice, edown_url(acme_case), edown_body(category="users_cannot_access"))

    assert response.status_code == 201, response.json()
    old, new = EnterpriseDownDeclaration.objects.filter(case=acme_case).order_by("id")
    assert old.ended_at is not None
    assert (new.ended_at, new.category) == (None, "users_cannot_access")
    assert Case.objects.get(pk=acme_case.pk).severity == "enterprise_down"
