"""The staff workspace: severity (lowering an Enterprise Down case too), a phone
escalation, the SPR at M2, the escalations with their Acknowledge button, and the
Enterprise Down banner with the 24x7 contact."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, Channel, EscalationLevel, EventKind, Severity
from escalation import services
from escalation.models import Escalation, Level


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def workspace_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("cases:workspace", args=[case.number])


def declare(case, actor, **contact):  # type: ignore[no-untyped-def]
    return services.declare_enterprise_down(
        case=case,
        actor=actor,
        category="users_cannot_access",
        total_users=250,
        affected_users=240,
        actions_taken="Rebooted the cluster.",
        down_since=timezone.now() - datetime.timedelta(hours=5),
        contact={
            "name": "Carl Contact",
            "phone": "+1 555 0100",
            "pager": "+1 555 0199",
            "email": "carl@acme.example",
            "on_site": False,
            "speaks_english": True,
            **contact,
        },
    )


def test_the_workspace_offers_severity_phone_escalation_and_enterprise_down(browser_for, engineer, acme_case):
    body = text(browser_for(engineer).get(workspace_url(acme_case)))

    assert f'action="{reverse("escalation:severity", args=[acme_case.number])}"' in body
    assert "Record a phone escalation" in body
    assert f'action="{reverse("escalation:escalate", args=[acme_case.number])}"' in body
    assert f'href="{reverse("escalation:edown", args=[acme_case.number])}"' in body
    # No SPR before M2.
    assert f'action="{reverse("escalation:spr", args=[acme_case.number])}"' not in body


def test_an_engineer_records_a_phone_escalation(browser_for, engineer, manager, acme_case):
    client = browser_for(engineer)

    response = client.post(
        reverse("escalation:escalate", args=[acme_case.number]), {"reason": "The customer called: no progress."}
    )

    assert response.status_code == 302
    assert response["Location"] == workspace_url(acme_case)
    escalation = Escalation.objects.get(case=acme_case)
    assert (escalation.level, escalation.channel, escalation.requested_by, escalation.manager) == (
        Level.M1,
        Channel.PHONE,
        engineer,
        manager,
    )
    page = text(client.get(response["Location"]))
    assert "The case has been escalated to M1. Max Manager has been told." in page
    assert "The customer called: no progress." in page


def test_a_phone_escalation_goes_on_past_the_web_limit_to_m2(browser_for, operator, director, alice, acme_case):
    services.escalate_case(case=acme_case, actor=alice, reason="First.", channel=Channel.WEB)

    response = browser_for(operator).post(
        reverse("escalation:escalate", args=[acme_case.number]), {"reason": "Customer still unhappy."}
    )

    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert acme_case.escalation_level == EscalationLevel.M2
    assert Escalation.objects.get(case=acme_case, level=Level.M2).manager == director


def test_staff_lower_an_enterprise_down_case_once_a_working_system_is_restored(browser_for, engineer, alice, acme_case):
    declare(acme_case, alice)
    client = browser_for(engineer)
    page = text(client.get(workspace_url(acme_case)))

    response = client.post(
        reverse("escalation:severity", args=[acme_case.number]),
        {"severity": "high", "reason": "Working system restored; root cause still open."},
    )

    assert "Lower the severity once a working system is restored." in page
    assert response.status_code == 302
    assert response["Location"] == workspace_url(acme_case)
    acme_case.refresh_from_db()
    assert acme_case.severity == Severity.HIGH
    event = CaseEvent.objects.filter(case=acme_case, kind=EventKind.SEVERITY).get()
    assert (event.before, event.after, event.channel) == ("enterprise_down", "high", Channel.PHONE)


def test_the_workspace_shows_the_enterprise_down_banner_with_the_contact(browser_for, engineer, alice, acme_case):
    declare(acme_case, alice)

    body = text(browser_for(engineer).get(workspace_url(acme_case)))

    banner = body[body.index('<section class="banner-edown"') :]
    banner = banner[: banner.index("</section>")]
    assert "Most end users cannot access the server software" in banner
    assert "240 of 250" in banner
    assert "Down since:" in banner and "<time" in banner
    assert "Carl Contact" in banner
    assert '<a href="tel:+1 555 0100">+1 555 0100</a>' in banner
    assert "+1 555 0199" in banner
    assert "carl@acme.example" in banner
    assert "not on site" in banner and "speaks English" in banner
    # It comes before the case itself, at the top of the page.
    assert body.index('<section class="banner-edown"') < body.index("<h1>")


def test_the_spr_is_linked_at_m2(browser_for, engineer, alice, acme_case):
    services.escalate_case(case=acme_case, actor=alice, reason="First.", channel=Channel.WEB)
    services.escalate_case(case=acme_case, actor=engineer, reason="Second.", channel=Channel.PHONE)
    client = browser_for(engineer)
    page = text(client.get(workspace_url(acme_case)))

    response = client.post(
        reverse("escalation:spr", args=[acme_case.number]), {"spr_number": "SPR-4711", "escalated": "on"}
    )

    assert f'action="{reverse("escalation:spr", args=[acme_case.number])}"' in page
    assert response.status_code == 302
    acme_case.refresh_from_db()
    assert (acme_case.spr_number, acme_case.spr_escalated) == ("SPR-4711", True)
    assert "SPR SPR-4711 has been linked to the case." in text(client.get(workspace_url(acme_case)))


def test_an_spr_before_m2_is_refused_on_the_page(browser_for, engineer, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(engineer).post(reverse("escalation:spr", args=[acme_case.number]), {"spr_number": "S-1"})

    assert response.status_code == 409
    assert "An SPR is linked once the case is escalated to M2." in text(response)
    assert state_of(acme_case) == before


def test_the_routed_manager_acknowledges_from_the_workspace(browser_for, manager, engineer, alice, acme_case):
    escalation = services.escalate_case(case=acme_case, actor=alice, reason="Help.", channel=Channel.WEB)
    url = reverse("escalation:acknowledge", args=[acme_case.number, escalation.pk])
    engineer_page = text(browser_for(engineer).get(workspace_url(acme_case)))
    client = browser_for(manager)
    manager_page = text(client.get(workspace_url(acme_case)))

    response = client.post(url, {"next": "workspace"})

    assert f'action="{url}"' not in engineer_page
    assert f'action="{url}"' in manager_page
    assert response.status_code == 302
    assert response["Location"] == workspace_url(acme_case)
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is not None and escalation.acknowledged_by == manager


def test_someone_else_cannot_acknowledge(browser_for, engineer, alice, acme_case):
    escalation = services.escalate_case(case=acme_case, actor=alice, reason="Help.", channel=Channel.WEB)

    response = browser_for(engineer).post(reverse("escalation:acknowledge", args=[acme_case.number, escalation.pk]))

    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_a_customer_cannot_link_an_spr(browser_for, alice, acme_case, state_of):
    before = state_of(acme_case)

    response = browser_for(alice).post(reverse("escalation:spr", args=[acme_case.number]), {"spr_number": "S-1"})

    assert response.status_code == 403
    assert state_of(acme_case) == before
