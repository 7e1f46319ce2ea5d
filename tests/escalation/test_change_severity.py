"""POST /api/v1/cases/{number}/severity/: customers and staff move a case among
critical … low with a reason; Enterprise Down has its own door (/edown/)."""

from __future__ import annotations

import pytest

from cases.models import Case


def severity_url(case: Case) -> str:
    return f"cases/{case.number}/severity/"


@pytest.mark.parametrize(("before", "after"), [("medium", "critical"), ("critical", "low"), ("low", "high")])
def test_a_customer_changes_the_severity_with_a_reason(post, alice, make_case, engineer, before, after, mailoutbox):
    # Given a case of Acme at `before`, assigned to Erin
    case = make_case(severity=before, assignee=engineer)

    # When Alice changes it with a reason
    response = post(alice, severity_url(case), {"severity": after, "reason": "The whole team is blocked now."})

    # Then the case answers with the new severity
    assert response.status_code == 200, response.json()
    assert response.json()["number"] == case.number
    assert response.json()["severity"] == after
    case.refresh_from_db()
    assert case.severity == after


def test_the_change_is_on_the_timeline_with_before_and_after(post, alice, acme_case, events_of):
    response = post(alice, severity_url(acme_case), {"severity": "critical", "reason": "Payroll run is blocked."})

    assert response.status_code == 200
    [event] = events_of(alice, acme_case, kind="severity")
    assert (event["before"], event["after"]) == ("medium", "critical")
    assert event["actor"]["id"] == alice.pk
    assert event["note"] == "Payroll run is blocked."


def test_the_assigned_engineer_gets_exactly_one_email_naming_the_case(post, alice, acme_case, mailoutbox):
    post(alice, severity_url(acme_case), {"severity": "high", "reason": "Month-end close starts tomorrow."})

    [mail] = mailoutbox
    assert mail.to == ["erin@vendor.example"]
    assert acme_case.number in mail.subject
    assert "Month-end close starts tomorrow." in mail.body


@pytest.mark.parametrize("staff_name", ["manager", "operator", "director"])
def test_staff_change_the_severity_and_the_engineer_is_told(
    request, post, acme_case, staff_name, mailoutbox, events_of, engineer
):
    staff = request.getfixturevalue(staff_name)

    response = post(staff, severity_url(acme_case), {"severity": "low", "reason": "Workaround in place."})

    assert response.status_code == 200, response.json()
    assert response.json()["severity"] == "low"
    [event] = events_of(engineer, acme_case, kind="severity")
    assert (event["before"], event["after"]) == ("medium", "low")
    [mail] = mailoutbox
    assert mail.to == ["erin@vendor.example"]
    assert acme_case.number in mail.subject


def test_enterprise_down_is_refused_here_and_points_to_the_edown_declaration(
    post, alice, acme_case, state_of, mailoutbox
):
    before = state_of(acme_case)

    response = post(alice, severity_url(acme_case), {"severity": "enterprise_down", "reason": "All down."})

    assert response.status_code == 400
    assert "severity" in response.json()
    assert "/edown/" in " ".join(response.json()["severity"])
    assert state_of(acme_case) == before
    assert mailoutbox == []


@pytest.mark.parametrize("body", [{"severity": "high"}, {"severity": "high", "reason": ""}])
def test_a_change_without_a_reason_is_refused(post, alice, acme_case, body, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(alice, severity_url(acme_case), body)

    assert response.status_code == 400
    assert "reason" in response.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_the_same_severity_again_is_refused(post, alice, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(alice, severity_url(acme_case), {"severity": "medium", "reason": "Still medium."})

    assert response.status_code == 400
    assert "severity" in response.json()
    assert state_of(acme_case) == before
    assert mailoutbox == []


def test_a_closed_case_keeps_its_severity(post, alice, make_case, engineer, state_of, mailoutbox):
    case = make_case(status="closed", assignee=engineer)
    before = state_of(case)

    response = post(alice, severity_url(case), {"severity": "critical", "reason": "It came back."})

    assert response.status_code == 409
    assert "detail" in response.json()
    assert state_of(case) == before
    assert mailoutbox == []


def test_a_customer_cannot_lower_an_enterprise_down_case(post, alice, make_case, engineer, state_of, mailoutbox):
    case = make_case(severity="enterprise_down", assignee=engineer)
    before = state_of(case)

    response = post(alice, severity_url(case), {"severity": "high", "reason": "Things look better."})

    assert response.status_code == 403
    assert "detail" in response.json()
    assert state_of(case) == before
    assert mailoutbox == []


def test_staff_lower_an_enterprise_down_case_and_it_leaves_the_top_of_the_queue(
    post, api, manager, make_case, engineer, events_of
):
    # Given an E-Down case on top of the staff queue, and a critical case below it
    edown = make_case(severity="enterprise_down", assignee=engineer)
    critical = make_case(severity="critical")
    queue = api(manager).get("/api/v1/cases/?ordering=severity,-number").json()["results"]
    assert [row["number"] for row in queue][:2] == [edown.number, critical.number]

    # When the manager lowers it once a working system is restored
    response = post(manager, severity_url(edown), {"severity": "low", "reason": "Service restored."})

    # Then it is low, ranked below the critical case
    assert response.status_code == 200, response.json()
    assert response.json()["severity"] == "low"
    edown.refresh_from_db()
    assert edown.severity_rank > Case.objects.get(pk=critical.pk).severity_rank
    queue = api(manager).get("/api/v1/cases/?ordering=severity,-number").json()["results"]
    assert queue[0]["number"] == critical.number
    assert queue[-1]["number"] == edown.number
    [event] = events_of(manager, edown, kind="severity")
    assert (event["before"], event["after"]) == ("enterprise_down", "low")


def test_an_unknown_severity_is_refused(post, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = post(alice, severity_url(acme_case), {"severity": "apocalyptic", "reason": "Very bad."})

    assert response.status_code == 400
    assert "severity" in response.json()
    assert state_of(acme_case) == before


def test_an_outsider_learns_nothing_about_the_case(post, oscar, acme_case, state_of, mailoutbox):
    before = state_of(acme_case)

    response = post(oscar, severity_url(acme_case), {"severity": "critical", "reason": "Let me in."})

    assert response.status_code == 404
    assert state_of(acme_case) == before
    assert mailoutbox == []
