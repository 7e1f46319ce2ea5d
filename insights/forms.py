"""The figures' filters: a GET form, so a view of the figures can be bookmarked and shared."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

CUSTOM = "custom"
PRESET_DAYS = {"30": 30, "90": 90, "365": 365}
DEFAULT_PERIOD = "30"
# Two years: weekly series stay around a hundred points.
MAX_DAYS = 731
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


@dataclass(frozen=True)
class Scope:
    """What the figures cover: ``[start, end)`` (local midnights) and the filters."""

    date_from: datetime.date
    date_to: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    organization: Organization | None
    product: str

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization else None

    def selector_kwargs(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "organization_id": self.organization_id,
            "product": self.product or None,
        }


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class FiguresFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("365", _("Last 365 days")),
            (CUSTOM, _("Custom dates")),
        ],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), help_text=_("For custom dates (YYYY-MM-DD).")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), help_text=_("For custom dates, included.")
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        required=False,
        queryset=Organization.objects.order_by("name", "pk"),
        empty_label=_("All organizations"),
    )
    product = forms.CharField(label=_("Product"), required=False, max_length=100)

    @classmethod
    def from_query(cls, query: QueryDict) -> FiguresFilterForm:
        """Bind the query string. Dates without a period mean custom dates; a preset
        period ignores any dates left in the URL."""
        data = query.copy()
        if not data.get("period"):
            data["period"] = CUSTOM if (data.get("date_from") or data.get("date_to")) else DEFAULT_PERIOD
        return cls(data)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if (cleaned.get("period") or DEFAULT_PERIOD) != CUSTOM:
            return cleaned
        days = {}
        for name, missing in (
            ("date_from", _("Enter the first day of the period.")),
            ("date_to", _("Enter the last day of the period.")),
        ):
            day = cleaned.get(name)
            if name in self.errors:
                continue
            if day is None:
                self.add_error(name, missing)
            elif not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Enter a date between 2000-01-01 and 2100-12-31."))
            else:
                days[name] = day
        if len(days) == 2:
            if days["date_to"] < days["date_from"]:
                self.add_error("date_to", _("The last day cannot be before the first day."))
            elif (days["date_to"] - days["date_from"]).days + 1 > MAX_DAYS:
                self.add_error("date_to", _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS})
        return cleaned

    def scope(self) -> Scope:
        """The valid form's scope, in the current time zone."""
        data = self.cleaned_data
        period = data.get("period") or DEFAULT_PERIOD
        if period == CUSTOM:
            date_from, date_to = data["date_from"], data["date_to"]
        else:
            date_to = timezone.localdate()
            date_from = date_to - datetime.timedelta(days=PRESET_DAYS[period] - 1)
        return Scope(
            date_from=date_from,
            date_to=date_to,
            start=_midnight(date_from),
            end=_midnight(date_to + datetime.timedelta(days=1)),
            organization=data.get("organization"),
            product=(data.get("product") or "").strip(),
        )
