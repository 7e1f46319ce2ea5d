"""`python manage.py seed_demo`: demo organizations and people to log in as.

A seed, not a user action: it writes rows straight through the model managers, keyed on
customer numbers and e-mail addresses, so running it again gives the same rows (and
puts back anything a demo changed in them, the password included).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone as dj_timezone

from accounts.models import Language, Membership, Organization, Plan, Role, Tier, User

DEMO_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Create (or reset) the demo organizations and users, and print their logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        organizations = self._seed_organizations()
        users = self._seed_users(organizations)
        self._print_logins(users)

    def _seed_organizations(self) -> dict[str, Organization]:
        initech = _organization(
            "INITECH-3003",
            name="Initech Partners",
            plan=Plan.STANDARD,
            country="KR",
            timezone="Asia/Seoul",
            language=Language.KO,
        )
        return {
            "acme": _organization(
                "ACME-1001",
                name="Acme Manufacturing",
                plan=Plan.ENTERPRISE,
                production=True,
                maintenance_until=dj_timezone.localdate() + timedelta(days=365),
                country="US",
                timezone="America/New_York",
                language=Language.EN,
            ),
            "globex": _organization(
                "GLOBEX-2002",
                name="Globex Trading",
                plan=Plan.BASIC,
                country="FR",
                timezone="Europe/Paris",
                language=Language.FR,
            ),
            "initech": initech,
            "hooli": _organization(
                "HOOLI-4004",
                name="Hooli Korea",
                plan=Plan.STANDARD,
                partner=initech,
                country="KR",
                timezone="Asia/Seoul",
                language=Language.KO,
            ),
        }

    def _seed_users(self, organizations: dict[str, Organization]) -> dict[str, User]:
        acme, globex, hooli = organizations["acme"], organizations["globex"], organizations["hooli"]
        users = {
            # One customer in two organizations, Acme being the primary association.
            "alice": _user(
                "alice@acme.example",
                "Alice Anderson",
                timezone="America/New_York",
                memberships=[(acme, True), (globex, False)],
            ),
            "bob": _user(
                "bob@globex.example",
                "Bob Bernard",
                language=Language.FR,
                timezone="Europe/Paris",
                memberships=[(globex, True)],
            ),
            "minji": _user(
                "minji@hooli.example",
                "Kim Min-ji",
                language=Language.KO,
                timezone="Asia/Seoul",
                memberships=[(hooli, True)],
            ),
        }
        dora = users["dora"] = _user("dora@vendor.example", "Dora Director", role=Role.DIRECTOR)
        max_ = users["max"] = _user("max@vendor.example", "Max Manager", role=Role.MANAGER, manager=dora)
        mia = users["mia"] = _user("mia@vendor.example", "Mia Manager", role=Role.MANAGER, manager=dora)
        users["erin"] = _user("erin@vendor.example", "Erin Engineer", role=Role.ENGINEER, tier=Tier.L1, manager=max_)
        users["liam"] = _user("liam@vendor.example", "Liam Engineer", role=Role.ENGINEER, tier=Tier.L2, manager=max_)
        users["li"] = _user(
            "li@vendor.example",
            "Li Wei",
            role=Role.ENGINEER,
            tier=Tier.L3,
            manager=mia,
            language=Language.ZH_HANS,
        )
        users["olga"] = _user("olga@vendor.example", "Olga Operator", role=Role.OPERATOR)
        users["ada"] = _user("ada@vendor.example", "Ada Admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
        # One hash for everyone (hashing is slow on purpose); a re-run also undoes a changed password.
        User.objects.filter(pk__in=[user.pk for user in users.values()]).update(password=make_password(DEMO_PASSWORD))
        return users

    def _print_logins(self, users: dict[str, User]) -> None:
        rows = [("e-mail", "role", "organization")]
        for user in users.values():
            role = f"{user.role} {user.tier}".strip()
            memberships = user.memberships.select_related("organization").order_by("-is_primary", "organization__name")
            organizations = ", ".join(
                f"{m.organization.name}{' (primary)' if m.is_primary else ''}" for m in memberships
            )
            rows.append((user.email, role, organizations or "-"))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in as:"))
        for email, role, organizations in rows:
            self.stdout.write(f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {organizations}")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")


def _organization(customer_number: str, **fields: Any) -> Organization:
    fields.setdefault("production", False)
    fields.setdefault("maintenance_until", None)
    fields.setdefault("partner", None)
    organization, _created = Organization.objects.update_or_create(customer_number=customer_number, defaults=fields)
    return organization


def _user(
    email: str,
    name: str,
    *,
    role: str = Role.CUSTOMER,
    tier: str = "",
    manager: User | None = None,
    language: str = Language.EN,
    timezone: str = "UTC",
    is_staff: bool = False,
    is_superuser: bool = False,
    memberships: list[tuple[Organization, bool]] | None = None,
) -> User:
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={
            "name": name,
            "role": role,
            "tier": tier,
            "manager": manager,
            "language": language,
            "timezone": timezone,
            "is_staff": is_staff,
            "is_superuser": is_superuser,
            "is_active": True,
        },
    )
    if memberships:
        primary = next(organization for organization, is_primary in memberships if is_primary)
        # A user holds one primary association at a time (a database constraint): demote
        # any other before (re)marking this one.
        Membership.objects.filter(user=user, is_primary=True).exclude(organization=primary).update(is_primary=False)
        for organization, is_primary in memberships:
            Membership.objects.update_or_create(
                user=user, organization=organization, defaults={"is_primary": is_primary}
            )
    return user
