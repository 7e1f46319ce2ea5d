"""The second escalation (M2): by phone through staff or through the feedback form, to
the M1 manager's own manager when a director and available, else to the available
director with the fewest open escalations; the engineer and the M1 manager are told."""

from __future__ import annotations

from cases.models import Case
from escalation.models import Escalation


def test_m2_by_phone_goes_to_the_m1_managers_director(escalate, alice, operator, acme_case, director, dan, dee):
    # Given Alice escalated once (M1, Max)
    escalate(alice, acme_case)

    # When the phone desk records her second escalation
    response = escalate(operator, acme_case, reason="Customer called: still down.", channel="phone")

    # Then it is M2, on Dora (Max's director)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["level"], body["channel"]) == ("M2", "phone")
    assert body["manager"] == {"id": director.pk, "name": "Dora Director", "email": "dora@vendor.example"}
    assert body["requested_by"]["id"] == operator.pk
    assert Case.objects.get(pk=acme_case.pk).escalation_level == "M2"


def test_m2_by_the_feedback_form_goes_to_the_m1_managers_director(post, escalate, alice, acme_case, director, dan):
    escalate(alice, acme_case)

    response = post(alice, "feedback/", {"case": acme_case.number, "message": "Still broken.", "escalate": True})

    assert response.status_code == 201, response.json()
    m2 = Escalation.objects.get(case=acme_case, level="M2")
    assert (m2.manager, m2.channel) == (director, "feedback_form")


def test_a_director_away_hands_m2_to_the_least_loaded_available_director(
    escalate, api, alice, operator, acme_case, director, dan, dee, routed_to
):
    escalate(alice, acme_case)
    marked = api(director).patch(f"/api/v1/users/{director.pk}/", {"available": False}, format="json")
    assert marked.status_code == 200, marked.json()
    routed_to(dan, level="M2")

    response = escalate(operator, acme_case, channel="phone")

    assert response.status_code == 201, response.json()
    assert response.json()["manager"]["id"] == dee.pk


def test_directors_with_equal_loads_go_by_lowest_id(
    escalate, alice, operator, acme_case, director, dan, dee, routed_to
):
    escalate(alice, acme_case)
    director.available = False
    director.save()
    routed_to(dan, level="M2", status="closed")

    response = escalate(operator, acme_case, channel="phone")

    assert response.status_code == 201
    assert response.json()["manager"]["id"] == dan.pk


def test_an_m1_manager_without_a_director_above_sends_m2_to_the_least_loaded_director(
    escalate, alice, operator, make_case, lone_engineer, mia, director, dan, routed_to
):
    # Given M1 fell on Mia (Nate has no manager) and Mia's manager is set to nobody
    mia.manager = None
    mia.save()
    case = make_case(assignee=lone_engineer)
    escalate(alice, case)
    routed_to(director, level="M2")

    response = escalate(operator, case, channel="phone")

    assert response.status_code == 201, response.json()
    assert response.json()["manager"]["id"] == dan.pk


def test_no_director_available_is_a_conflict_and_the_case_stays_m1(
    escalate, alice, operator, acme_case, director, state_of, mailoutbox
):
    escalate(alice, acme_case)
    director.available = False
    director.save()
    before = state_of(acme_case)
    mailoutbox.clear()

    response = escalate(operator, acme_case, channel="phone")

    assert response.status_code == 409
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_m2_tells_the_director_the_engineer_and_the_m1_manager_once_each(
    escalate, alice, operator, acme_case, director, mailoutbox
):
    escalate(alice, acme_case)
    mailoutbox.clear()

    escalate(operator, acme_case, reason="Customer called: still down.", channel="phone")

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "dora@vendor.example",
        "erin@vendor.example",
        "max@vendor.example",
    ]
    [to_director] = [mail for mail in mailoutbox if mail.to == ["dora@vendor.example"]]
    assert acme_case.number in to_director.subject
    assert "M2" in to_director.subject
    for mail in mailoutbox:
        assert acme_case.number in mail.subject
        assert "Customer called: still down." in mail.body


def test_escalating_an_m2_case_again_records_it_and_tells_the_director_again(
    escalate, alice, operator, acme_case, director, mailoutbox, events_of
):
    escalate(alice, acme_case)
    escalate(operator, acme_case, channel="phone")
    mailoutbox.clear()

    response = escalate(operator, acme_case, reason="Third call today.", channel="phone")

    assert response.status_code == 201, response.json()
    assert response.json()["level"] == "M2"
    assert response.json()["manager"]["id"] == director.pk
    assert list(Escalation.objects.filter(case=acme_case).values_list("level", flat=True)) == ["M1", "M2", "M2"]
    assert Case.objects.get(pk=acme_case.pk).escalation_level == "M2"
    to_director = [mail for mail in mailoutbox if mail.to == ["dora@vendor.example"]]
    assert len(to_director) == 1
    assert "Third call today." in to_director[0].body
    assert [(e["before"], e["after"]) for e in events_of(operator, acme_case, kind="escalation")] == [
        ("none", "M1"),
        ("M1", "M2"),
        ("M2", "M2"),
    ]
