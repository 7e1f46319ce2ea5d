"""The demo cases load through the product's own services, once."""

from django.core.management import call_command

from cases.models import Case


def test_it_creates_demo_cases_in_every_state_once(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo_cases")
    call_command("seed_demo_cases")
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "waiting_on_customer", "solution_proposed"} <= statuses
    assert Case.objects.count() == 4
    assert Case.objects.filter(severity="enterprise_down", escalation_level="M1").count() == 1
    assert "already there" in capsys.readouterr().out
