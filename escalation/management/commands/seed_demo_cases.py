"""`python manage.py seed_demo_cases`: a few demo cases in every state, through the same
services the product uses (run after `seed_demo`; idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from cases.models import Case, Channel
from cases.services import assign_case, log_case, log_time, propose_solution, request_info
from escalation.services import declare_enterprise_down, escalate_case

DEMO_TAG = "[demo]"


class Command(BaseCommand):
    help = "Create demo cases for the demo organizations (run seed_demo first)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        try:
            alice = User.objects.get(email="alice@acme.example")
            minji = User.objects.get(email="minji@hooli.example")
            erin = User.objects.get(email="erin@vendor.example")
            liam = User.objects.get(email="liam@vendor.example")
            olga = User.objects.get(email="olga@vendor.example")
            acme = Organization.objects.get(customer_number="ACME-1001")
        except (User.DoesNotExist, Organization.DoesNotExist) as exc:
            raise CommandError("Run `python manage.py seed_demo` first.") from exc
        if Case.objects.filter(description__endswith=DEMO_TAG).exists():
            self.stdout.write("Demo cases already there.")
            return

        def new(actor: User, title: str, severity: str, request_type: str = "incident", **extra: object) -> Case:
            return log_case(
                actor=actor,
                title=title,
                description=f"{title}. Steps, logs and versions are in the thread. {DEMO_TAG}",
                severity=severity,
                request_type=request_type,
                product="Windchill",
                version="12.1",
                **extra,
            )

        fresh = new(alice, "Users cannot check in CAD files", "high", organization=acme)
        waiting = new(alice, "License server warning at start-up", "medium", organization=acme)
        assign_case(case=waiting, actor=erin, assignee=erin)
        request_info(case=waiting, actor=erin, body="Could you attach the license server log (`lmgrd.log`)?")
        proposed = new(minji, "색인 작업이 느립니다", "low")
        assign_case(case=proposed, actor=liam, assignee=liam)
        propose_solution(case=proposed, actor=liam, body="Rebuild the index with the `--incremental` option.")
        log_time(case=proposed, actor=liam, minutes=45, note="Reproduced and tested the fix")
        outage = new(olga, "Production server stops every hour", "critical", requester=alice, channel=Channel.PHONE)
        assign_case(case=outage, actor=erin, assignee=erin)
        declare_enterprise_down(
            case=outage,
            actor=olga,
            channel=Channel.PHONE,
            category="server_unresponsive",
            total_users=400,
            affected_users=380,
            actions_taken="Restarted the method server twice; no change.",
            down_since=timezone.now() - timedelta(hours=2),
            contact={
                "name": "Alice Anderson",
                "phone": "+1 555 0100",
                "pager": "",
                "email": "alice@acme.example",
                "on_site": True,
                "speaks_english": True,
            },
        )
        escalate_case(case=outage, actor=alice, reason="Our plant is stopped.", channel=Channel.WEB)
        for case in (fresh, waiting, proposed, outage):
            self.stdout.write(f"{case.number}  {case.title}")
        self.stdout.write(self.style.SUCCESS("Demo cases created."))
