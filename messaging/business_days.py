"""Business days: weekdays that are not a US federal holiday (as observed).

The FCC's consent rule (47 CFR 64.1200(a)(10), in force since 11 April 2025) gives ten
business days to honour a revocation. The holidays are the eleven of 5 U.S.C. 6103,
computed rather than listed so that no year runs out. A holiday on a Saturday is
observed on the Friday before and one on a Sunday on the Monday after (Executive Order
11582; OPM's rule), so New Year's Day 2022, a Saturday, was observed on Friday
31 December 2021: that Friday is not a business day of 2021.
"""

from datetime import date, timedelta
from functools import lru_cache

MONDAY, THURSDAY, SATURDAY, SUNDAY = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) `weekday` of the month; n = -1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == SUNDAY:
        return day + timedelta(days=1)
    return day


def federal_holidays(year: int) -> dict[date, str]:
    """The federal holidays of `year` by their actual date, with their names."""
    days = {
        date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, MONDAY, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(year, 2, MONDAY, 3): "Washington's Birthday",
        _nth_weekday(year, 5, MONDAY, -1): "Memorial Day",
        date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, MONDAY, 1): "Labor Day",
        _nth_weekday(year, 10, MONDAY, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, THURSDAY, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }
    if year >= 2021:  # Juneteenth National Independence Day Act, 17 June 2021
        days[date(year, 6, 19)] = "Juneteenth National Independence Day"
    return days


@lru_cache(maxsize=64)
def observed_holidays(year: int) -> dict[date, str]:
    """The days off that fall in `year`, by the date they are observed.

    Next year's New Year's Day belongs here when it falls on a Saturday: it is then
    observed on 31 December of this year.
    """
    observed = {}
    for source_year in (year, year + 1):
        for day, name in federal_holidays(source_year).items():
            off = _observed(day)
            if off.year == year:
                observed[off] = name + (" (observed)" if off != day else "")
    return observed


def is_business_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in observed_holidays(day.year)


def business_days_after(start: date, count: int) -> date:
    """The `count`-th business day after `start` (start itself not counted).

    A text received on a Friday evening with count 1 is due on Monday, or on Tuesday
    when that Monday is a holiday.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_before(end: date, count: int) -> date:
    """The business day `count` business days before `end` (end itself not counted)."""
    if count < 0:
        raise ValueError("count must be zero or more")
    day = end
    remaining = count
    while remaining:
        day -= timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day
