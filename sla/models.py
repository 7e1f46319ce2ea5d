"""SLA targets per support plan and severity, configured in the admin."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The plan and severity values are the contract's (API.md); sla imports no other app.
PLAN_CHOICES = [("basic", _("Basic")), ("standard", _("Standard")), ("enterprise", _("Enterprise"))]
SEVERITY_CHOICES = [
    ("enterprise_down", _("Enterprise Down")),
    ("critical", _("Critical")),
    ("high", _("High")),
    ("medium", _("Medium")),
    ("low", _("Low")),
]


class ClockKind(models.TextChoices):
    BUSINESS = "business", _("Business hours")
    ALWAYS = "24x7", _("24x7")


class SlaTarget(models.Model):
    plan = models.CharField(_("plan"), max_length=16, choices=PLAN_CHOICES)
    severity = models.CharField(_("severity"), max_length=16, choices=SEVERITY_CHOICES)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), validators=[MinValueValidator(1)]
    )
    next_update_minutes = models.PositiveIntegerField(_("next update (minutes)"), validators=[MinValueValidator(1)])
    clock = models.CharField(_("clock"), max_length=8, choices=ClockKind.choices, default=ClockKind.BUSINESS)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["plan", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "severity"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0) & Q(next_update_minutes__gt=0),
                name="sla_target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_plan_display()} / {self.get_severity_display()}"


# Defaults loaded by migration 0002 and documented in the README. Minutes; "24x7"
# targets run around the clock, the others in the organization's business hours.
DEFAULT_TARGETS = {
    # plan: {severity: (first response, next update, clock)}
    "enterprise": {
        "enterprise_down": (60, 120, ClockKind.ALWAYS),
        "critical": (120, 240, ClockKind.BUSINESS),
        "high": (240, 480, ClockKind.BUSINESS),
        "medium": (480, 1080, ClockKind.BUSINESS),
        "low": (1080, 2700, ClockKind.BUSINESS),
    },
    "standard": {
        "enterprise_down": (120, 240, ClockKind.ALWAYS),
        "critical": (240, 480, ClockKind.BUSINESS),
        "high": (480, 1080, ClockKind.BUSINESS),
        "medium": (1080, 2160, ClockKind.BUSINESS),
        "low": (2160, 4320, ClockKind.BUSINESS),
    },
    "basic": {
        "enterprise_down": (240, 480, ClockKind.ALWAYS),
        "critical": (480, 1080, ClockKind.BUSINESS),
        "high": (1080, 2160, ClockKind.BUSINESS),
        "medium": (2160, 4320, ClockKind.BUSINESS),
        "low": (4320, 8640, ClockKind.BUSINESS),
    },
}
