"""Business time: "5 business days" and "4 business hours" in a customer's country,
timezone and working hours. One small module, used by SLA clocks and auto-closing.

Business days skip Saturdays, Sundays and the public holidays of the country (from the
``holidays`` package). A 24x7 calendar (Enterprise Down) counts every minute.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

logger = logging.getLogger(__name__)

DEFAULT_START = time(9, 0)
DEFAULT_END = time(18, 0)
_MAX_DAYS_SCANNED = 3660  # ten years: no real target is longer


@lru_cache(maxsize=512)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        logger.warning("no public-holiday calendar for country %r; counting weekends only", country)
        return frozenset()


def localize(day: date, clock: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant of ``clock`` on ``day`` in ``zone``. A local time that does not exist
    that day (the gap of a daylight-saving change) moves forward to the first one that
    does; an ambiguous one (the repeated hour) takes its first occurrence."""
    naive = datetime.combine(day, clock)
    candidate = naive.replace(tzinfo=zone, fold=0)
    roundtrip = candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if roundtrip == naive:
        return candidate
    # In a gap: find the transition, the first local instant after the skipped times.
    before = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(before, after), max(before, after)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) < naive:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0).astimezone(zone)


@dataclass(frozen=True)
class BusinessCalendar:
    country: str
    timezone: str
    start: time = DEFAULT_START
    end: time = DEFAULT_END
    always_open: bool = False
    zone: zoneinfo.ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.always_open and self.end <= self.start:
            raise ValueError("Business hours must end after they start.")
        object.__setattr__(self, "zone", zoneinfo.ZoneInfo(self.timezone))

    @classmethod
    def twenty_four_seven(cls, timezone: str = "UTC") -> BusinessCalendar:
        return cls(country="", timezone=timezone, always_open=True)

    # --- days -------------------------------------------------------------------------
    def is_business_day(self, day: date) -> bool:
        if self.always_open:
            return True
        if day.weekday() >= 5:
            return False
        return not self.country or day not in _holidays_for(self.country.upper(), day.year)

    def next_business_day(self, day: date) -> date:
        for _ in range(_MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("no business day found")

    def add_business_days(self, instant: datetime, days: int) -> datetime:
        """The same local time of day on the ``days``-th business day after the local
        day of ``instant`` (API.md "Automatic closing")."""
        local = instant.astimezone(self.zone)
        day = local.date()
        for _ in range(days):
            day = self.next_business_day(day)
        return localize(day, local.time().replace(tzinfo=None), self.zone)

    def subtract_business_days(self, instant: datetime, days: int) -> datetime:
        local = instant.astimezone(self.zone)
        day = local.date()
        remaining = days
        for _ in range(_MAX_DAYS_SCANNED):
            if remaining == 0:
                break
            day -= timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return localize(day, local.time().replace(tzinfo=None), self.zone)

    # --- hours ------------------------------------------------------------------------
    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_business_day(day):
            return None
        return localize(day, self.start, self.zone), localize(day, self.end, self.zone)

    def add_business_minutes(self, instant: datetime, minutes: int) -> datetime:
        """The instant when ``minutes`` of business time have passed after ``instant``."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        # Arithmetic in UTC: aware datetimes sharing a zone add by wall clock, which is
        # wrong across a daylight-saving change.
        if self.always_open:
            return instant.astimezone(UTC) + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        cursor = instant.astimezone(self.zone)
        day = cursor.date()
        for _ in range(_MAX_DAYS_SCANNED):
            window = self._window(day)
            if window is not None:
                opens, closes = window
                begin = max(cursor, opens).astimezone(UTC)
                if begin < closes:
                    available = closes.astimezone(UTC) - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("target too far in the future")

    def business_minutes_between(self, start: datetime, end: datetime) -> int:
        """Business minutes from ``start`` to ``end`` (0 when end is not after start)."""
        if end <= start:
            return 0
        if self.always_open:
            return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() // 60)
        total = timedelta()
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            window = self._window(day)
            if window is not None:
                begin, finish = max(start, window[0]), min(end, window[1])
                if finish > begin:
                    total += finish.astimezone(UTC) - begin.astimezone(UTC)
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)
