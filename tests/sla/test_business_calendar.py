"""Business time (sla/business_time.py): business days and business minutes in a
customer's country, timezone and working hours (API.md "Automatic closing")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest

from sla.business_time import BusinessCalendar, localize

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
PARIS = ZoneInfo("Europe/Paris")
JERUSALEM = ZoneInfo("Asia/Jerusalem")
UTC = dt.UTC

US = BusinessCalendar(country="US", timezone="America/New_York")
KR = BusinessCalendar(country="KR", timezone="Asia/Seoul")
FR = BusinessCalendar(country="FR", timezone="Europe/Paris")


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def wall(instant: dt.datetime, zone: ZoneInfo) -> tuple[str, str, str]:
    """What a clock on the wall in ``zone`` shows at ``instant``: weekday, date and time,
    and the UTC offset. (Through UTC: an aware datetime already in ``zone`` may hold a
    wall time that is not a real one there.)"""
    local = instant.astimezone(UTC).astimezone(zone)
    return local.strftime("%a"), local.strftime("%Y-%m-%d %H:%M"), local.strftime("%z")


# --- Business days --------------------------------------------------------------------


def test_saturdays_and_sundays_are_not_business_days():
    assert [US.is_business_day(dt.date(2026, 12, d)) for d in range(7, 14)] == [
        True,  # Mon 7
        True,
        True,
        True,
        True,  # Fri 11
        False,  # Sat 12
        False,  # Sun 13
    ]


def test_adding_business_days_skips_the_weekend():
    # Given a Thursday afternoon in New York
    thursday = at(NEW_YORK, 2026, 12, 3, 15, 0)

    # When two business days are added
    deadline = US.add_business_days(thursday, 2)

    # Then Friday counts, the weekend does not
    assert wall(deadline, NEW_YORK) == ("Mon", "2026-12-07 15:00", "-0500")


def test_the_api_example_closes_on_new_years_eve_because_christmas_is_a_holiday():
    # Given a solution proposed Wednesday 2026-12-23 10:00 in New York
    proposed = at(NEW_YORK, 2026, 12, 23, 10, 0)

    # When 5 business days pass (24th, 28th, 29th, 30th, 31st; the 25th is a holiday)
    deadline = US.add_business_days(proposed, 5)

    # Then the deadline is Thursday 2026-12-31 10:00 New York time
    assert deadline == at(NEW_YORK, 2026, 12, 31, 10, 0)
    assert not US.is_business_day(dt.date(2026, 12, 25))
    assert US.is_business_day(dt.date(2026, 12, 24))


def test_one_business_day_before_the_api_example_deadline_is_the_day_before():
    assert US.subtract_business_days(at(NEW_YORK, 2026, 12, 31, 10, 0), 1) == at(NEW_YORK, 2026, 12, 30, 10, 0)
    # Back over the holiday and the weekend: Monday 28th → Thursday 24th
    assert US.subtract_business_days(at(NEW_YORK, 2026, 12, 28, 10, 0), 1) == at(NEW_YORK, 2026, 12, 24, 10, 0)


def test_a_status_entered_on_a_saturday_closes_the_following_friday_at_the_same_time():
    saturday = at(NEW_YORK, 2026, 12, 5, 10, 0)

    deadline = US.add_business_days(saturday, 5)

    assert wall(deadline, NEW_YORK) == ("Fri", "2026-12-11 10:00", "-0500")


def test_new_years_day_is_skipped_as_well():
    # Tue 29th + 5: 30th, 31st, (Jan 1st holiday, weekend), Jan 4th, 5th, 6th
    assert US.add_business_days(at(NEW_YORK, 2026, 12, 29, 14, 0), 5) == at(NEW_YORK, 2027, 1, 6, 14, 0)


def test_chuseok_is_a_holiday_in_korea_but_not_in_the_united_states():
    chuseok = dt.date(2026, 9, 25)  # a Friday
    assert "Chuseok" in holidays.country_holidays("KR", years=2026).get(chuseok, "")

    assert not KR.is_business_day(chuseok)
    assert US.is_business_day(chuseok)
    # Wed 23rd + 1 business day in Seoul: Thu 24th and Fri 25th are Chuseok → Mon 28th
    assert wall(KR.add_business_days(at(SEOUL, 2026, 9, 23, 10, 0), 1), SEOUL) == ("Mon", "2026-09-28 10:00", "+0900")
    assert wall(US.add_business_days(at(NEW_YORK, 2026, 9, 23, 10, 0), 1), NEW_YORK)[1] == "2026-09-24 10:00"


def test_bastille_day_is_a_holiday_in_france():
    assert holidays.country_holidays("FR", years=2026).get(dt.date(2026, 7, 14)) is not None

    assert not FR.is_business_day(dt.date(2026, 7, 14))  # a Tuesday
    assert FR.add_business_days(at(PARIS, 2026, 7, 13, 16, 0), 1) == at(PARIS, 2026, 7, 15, 16, 0)


def test_an_observed_holiday_is_skipped_when_the_holiday_falls_on_a_saturday():
    # Independence Day 2026 is a Saturday; the federal holiday is observed Friday the 3rd.
    assert not US.is_business_day(dt.date(2026, 7, 3))
    assert US.add_business_days(at(NEW_YORK, 2026, 7, 2, 9, 0), 1) == at(NEW_YORK, 2026, 7, 6, 9, 0)


# --- Timezones ------------------------------------------------------------------------


def test_an_instant_counts_from_its_day_in_new_york_not_from_its_day_in_utc():
    # Given Friday 23:30 in New York, which is already Saturday 04:30 in UTC
    friday_night = at(NEW_YORK, 2026, 12, 4, 23, 30).astimezone(UTC)
    assert friday_night.strftime("%a %H:%M") == "Sat 04:30"

    # Then one business day back is Thursday (from Friday), not Friday (from Saturday)
    assert wall(US.subtract_business_days(friday_night, 1), NEW_YORK) == ("Thu", "2026-12-03 23:30", "-0500")
    # And one business day ahead of Thursday 23:30 (Friday in UTC) is Friday, not Monday
    thursday_night = at(NEW_YORK, 2026, 12, 3, 23, 30).astimezone(UTC)
    assert wall(US.add_business_days(thursday_night, 1), NEW_YORK) == ("Fri", "2026-12-04 23:30", "-0500")


def test_an_instant_counts_from_its_day_in_seoul_not_from_its_day_in_utc():
    # Given Monday 08:00 in Seoul, which is still Sunday 23:00 in UTC
    monday_morning = at(SEOUL, 2026, 12, 7, 8, 0).astimezone(UTC)
    assert monday_morning.strftime("%a %H:%M") == "Sun 23:00"

    # Then the next business day is Tuesday in Seoul (counting from Sunday would give Monday)
    assert wall(KR.add_business_days(monday_morning, 1), SEOUL) == ("Tue", "2026-12-08 08:00", "+0900")
    assert KR.is_business_day(monday_morning.astimezone(SEOUL).date())


def test_business_hours_are_those_of_the_organizations_timezone():
    # 09:00 in Seoul is 00:00 UTC: an hour of business time from Sunday 23:30 UTC
    # is Monday 10:00 in Seoul.
    sunday_night_utc = dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)

    assert wall(KR.add_business_minutes(sunday_night_utc, 60), SEOUL) == ("Mon", "2026-12-07 10:00", "+0900")


# --- Daylight-saving changes ----------------------------------------------------------


def test_a_local_time_that_does_not_exist_moves_forward_to_the_first_one_that_does():
    # 2026-03-08 in New York: clocks jump from 02:00 to 03:00
    assert wall(localize(dt.date(2026, 3, 8), dt.time(2, 30), NEW_YORK), NEW_YORK) == (
        "Sun",
        "2026-03-08 03:00",
        "-0400",
    )
    assert localize(dt.date(2026, 3, 8), dt.time(2, 0), NEW_YORK).astimezone(UTC) == dt.datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    assert localize(dt.date(2026, 3, 8), dt.time(1, 59), NEW_YORK).astimezone(UTC) == dt.datetime(
        2026, 3, 8, 6, 59, tzinfo=UTC
    )


def test_an_ambiguous_local_time_takes_its_first_occurrence():
    # 2026-11-01 in New York: 01:00–02:00 happens twice (EDT, then EST)
    first = localize(dt.date(2026, 11, 1), dt.time(1, 30), NEW_YORK)

    assert first.astimezone(UTC) == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert wall(first, NEW_YORK) == ("Sun", "2026-11-01 01:30", "-0400")


def test_a_deadline_in_the_spring_forward_gap_moves_forward_on_a_24x7_clock():
    always = BusinessCalendar.twenty_four_seven("America/New_York")

    deadline = always.add_business_days(at(NEW_YORK, 2026, 3, 3, 2, 30), 5)

    assert wall(deadline, NEW_YORK) == ("Sun", "2026-03-08 03:00", "-0400")


def test_a_business_deadline_in_the_gap_of_a_friday_dst_change_moves_forward():
    # Israel springs forward on Friday 2026-03-27 at 02:00 (a business day here).
    israel = BusinessCalendar(country="IL", timezone="Asia/Jerusalem")

    deadline = israel.add_business_days(at(JERUSALEM, 2026, 3, 20, 2, 30), 5)

    assert wall(deadline, JERUSALEM) == ("Fri", "2026-03-27 03:00", "+0300")


def test_adding_days_across_the_spring_change_keeps_the_wall_time():
    friday = at(NEW_YORK, 2026, 3, 6, 10, 0)  # EST

    monday = US.add_business_days(friday, 1)

    assert wall(monday, NEW_YORK) == ("Mon", "2026-03-09 10:00", "-0400")
    assert monday.astimezone(UTC) - friday.astimezone(UTC) == dt.timedelta(days=3, hours=-1)


def test_adding_days_across_the_autumn_change_keeps_the_wall_time():
    friday = at(NEW_YORK, 2026, 10, 30, 10, 0)  # EDT

    monday = US.add_business_days(friday, 1)

    assert wall(monday, NEW_YORK) == ("Mon", "2026-11-02 10:00", "-0500")
    assert monday.astimezone(UTC) - friday.astimezone(UTC) == dt.timedelta(days=3, hours=1)


def test_business_minutes_across_the_spring_weekend_count_working_hours_only():
    # Friday 17:00 EST + 2 business hours: one hour on Friday, one on Monday (EDT)
    assert US.add_business_minutes(at(NEW_YORK, 2026, 3, 6, 17, 0), 120) == at(NEW_YORK, 2026, 3, 9, 10, 0)


# --- Business minutes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(at(NEW_YORK, 2026, 12, 2, 10, 0), 240, at(NEW_YORK, 2026, 12, 2, 14, 0), id="within-a-day"),
        pytest.param(at(NEW_YORK, 2026, 12, 2, 16, 0), 180, at(NEW_YORK, 2026, 12, 3, 10, 0), id="over-the-evening"),
        pytest.param(at(NEW_YORK, 2026, 12, 2, 16, 0), 120, at(NEW_YORK, 2026, 12, 2, 18, 0), id="to-closing-time"),
        pytest.param(at(NEW_YORK, 2026, 12, 2, 20, 0), 60, at(NEW_YORK, 2026, 12, 3, 10, 0), id="from-the-evening"),
        pytest.param(at(NEW_YORK, 2026, 12, 3, 6, 0), 30, at(NEW_YORK, 2026, 12, 3, 9, 30), id="from-early-morning"),
        pytest.param(at(NEW_YORK, 2026, 12, 4, 17, 0), 120, at(NEW_YORK, 2026, 12, 7, 10, 0), id="over-a-weekend"),
        pytest.param(at(NEW_YORK, 2026, 12, 5, 11, 0), 60, at(NEW_YORK, 2026, 12, 7, 10, 0), id="from-a-saturday"),
        pytest.param(at(NEW_YORK, 2026, 12, 24, 17, 0), 120, at(NEW_YORK, 2026, 12, 28, 10, 0), id="over-christmas"),
        pytest.param(at(NEW_YORK, 2026, 12, 2, 10, 0), 1080, at(NEW_YORK, 2026, 12, 4, 10, 0), id="two-days"),
        pytest.param(at(NEW_YORK, 2026, 12, 2, 10, 0), 0, at(NEW_YORK, 2026, 12, 2, 10, 0), id="nothing"),
    ],
)
def test_business_minutes_count_only_working_hours(start, minutes, expected):
    assert US.add_business_minutes(start, minutes) == expected


def test_custom_business_hours_are_respected():
    early = BusinessCalendar(country="US", timezone="America/New_York", start=dt.time(7, 30), end=dt.time(15, 30))

    # Wed 14:30 + 2h: one hour until 15:30, then Thursday from 07:30
    assert early.add_business_minutes(at(NEW_YORK, 2026, 12, 2, 14, 30), 120) == at(NEW_YORK, 2026, 12, 3, 8, 30)
    assert early.add_business_minutes(at(NEW_YORK, 2026, 12, 2, 6, 0), 60) == at(NEW_YORK, 2026, 12, 2, 8, 30)
    # A full 8-hour day from opening ends at closing time
    assert early.business_minutes_between(at(NEW_YORK, 2026, 12, 2, 0, 0), at(NEW_YORK, 2026, 12, 3, 0, 0)) == 480


def test_business_minutes_between_counts_working_time_only():
    # Friday 17:00 → Monday 10:00: one hour on Friday, one on Monday
    assert US.business_minutes_between(at(NEW_YORK, 2026, 12, 4, 17, 0), at(NEW_YORK, 2026, 12, 7, 10, 0)) == 120
    # A whole week, Monday 00:00 to Monday 00:00: five 9-hour days
    assert US.business_minutes_between(at(NEW_YORK, 2026, 12, 7), at(NEW_YORK, 2026, 12, 14)) == 5 * 540
    # Christmas week: four business days (the 25th is a holiday)
    assert US.business_minutes_between(at(NEW_YORK, 2026, 12, 21), at(NEW_YORK, 2026, 12, 28)) == 4 * 540
    # Inside one afternoon, across zones: 14:00 → 15:30 New York given in UTC
    assert (
        US.business_minutes_between(at(NEW_YORK, 2026, 12, 2, 14, 0), dt.datetime(2026, 12, 2, 20, 30, tzinfo=UTC))
        == 90
    )


def test_business_minutes_between_is_the_inverse_of_adding_them():
    start = at(NEW_YORK, 2026, 12, 23, 16, 45)
    for minutes in (1, 75, 540, 1000, 2700):
        assert US.business_minutes_between(start, US.add_business_minutes(start, minutes)) == minutes


def test_a_24x7_calendar_counts_every_minute():
    always = BusinessCalendar.twenty_four_seven("America/New_York")
    saturday_night = at(NEW_YORK, 2026, 12, 5, 22, 0)

    assert always.add_business_minutes(saturday_night, 60) == at(NEW_YORK, 2026, 12, 5, 23, 0)
    assert always.add_business_minutes(at(NEW_YORK, 2026, 12, 24, 23, 30), 120) == at(NEW_YORK, 2026, 12, 25, 1, 30)
    assert always.business_minutes_between(saturday_night, at(NEW_YORK, 2026, 12, 7, 22, 0)) == 2 * 24 * 60
    assert always.is_business_day(dt.date(2026, 12, 25))
    assert always.add_business_days(saturday_night, 1) == at(NEW_YORK, 2026, 12, 6, 22, 0)


def test_a_24x7_clock_across_the_spring_change_counts_real_minutes():
    always = BusinessCalendar.twenty_four_seven("America/New_York")

    # 01:30 EST + 60 real minutes is 03:30 EDT (02:xx never happens that night)
    assert wall(always.add_business_minutes(at(NEW_YORK, 2026, 3, 8, 1, 30), 60), NEW_YORK) == (
        "Sun",
        "2026-03-08 03:30",
        "-0400",
    )


def test_a_24x7_clock_across_the_autumn_change_counts_real_minutes():
    always = BusinessCalendar.twenty_four_seven("America/New_York")
    before_the_change = at(NEW_YORK, 2026, 11, 1, 0, 30)  # EDT; 01:00–02:00 happens twice tonight

    # Two real hours later it is 01:30 for the second time (EST), not 02:30
    assert wall(always.add_business_minutes(before_the_change, 120), NEW_YORK) == ("Sun", "2026-11-01 01:30", "-0500")
    # Saturday 22:00 to Sunday 22:00 that weekend lasts 25 hours
    assert (
        always.business_minutes_between(at(NEW_YORK, 2026, 10, 31, 22, 0), at(NEW_YORK, 2026, 11, 1, 22, 0)) == 25 * 60
    )
    # and 23 hours in spring
    assert always.business_minutes_between(at(NEW_YORK, 2026, 3, 7, 22, 0), at(NEW_YORK, 2026, 3, 8, 22, 0)) == 23 * 60


@pytest.mark.parametrize(("start", "end"), [(dt.time(18, 0), dt.time(9, 0)), (dt.time(9, 0), dt.time(9, 0))])
def test_business_hours_that_end_before_they_start_are_refused(start, end):
    with pytest.raises(ValueError, match="end after"):
        BusinessCalendar(country="US", timezone="America/New_York", start=start, end=end)


def test_negative_business_minutes_are_refused():
    with pytest.raises(ValueError):
        US.add_business_minutes(at(NEW_YORK, 2026, 12, 2, 10, 0), -1)
