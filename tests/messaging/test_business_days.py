"""Business days for the FCC's ten-day deadline: weekends and federal holidays, as observed."""

from datetime import date

import pytest

from messaging.business_days import (
    business_days_after,
    business_days_before,
    federal_holidays,
    is_business_day,
    observed_holidays,
)

# (day, is it a business day, why)
DAYS = [
    (date(2026, 12, 1), True, "a Tuesday"),
    (date(2026, 12, 5), False, "a Saturday"),
    (date(2026, 12, 6), False, "a Sunday"),
    (date(2026, 1, 1), False, "New Year's Day (Thursday)"),
    (date(2026, 1, 19), False, "MLK Day, third Monday of January"),
    (date(2026, 2, 16), False, "Washington's Birthday, third Monday of February"),
    (date(2026, 5, 25), False, "Memorial Day, last Monday of May"),
    (date(2026, 6, 19), False, "Juneteenth (Friday)"),
    (date(2026, 7, 3), False, "Independence Day on a Saturday, observed Friday 3 July"),
    (date(2026, 7, 4), False, "the Saturday itself"),
    (date(2026, 7, 6), True, "the Monday after a Saturday holiday is a working day"),
    (date(2026, 9, 7), False, "Labor Day, first Monday of September"),
    (date(2026, 10, 12), False, "Columbus Day, second Monday of October"),
    (date(2026, 11, 11), False, "Veterans Day (Wednesday)"),
    (date(2026, 11, 26), False, "Thanksgiving, fourth Thursday of November"),
    (date(2026, 11, 27), True, "the Friday after Thanksgiving is not a federal holiday"),
    (date(2026, 12, 25), False, "Christmas (Friday)"),
    (date(2027, 6, 18), False, "Juneteenth 2027 on a Saturday, observed Friday 18 June"),
    (date(2027, 12, 24), False, "Christmas 2027 on a Saturday, observed Friday 24 December"),
    (date(2027, 12, 31), False, "New Year's Day 2028 (Saturday) observed in 2027"),
    (date(2021, 12, 31), False, "New Year's Day 2022 (Saturday) observed 31 December 2021"),
    (date(2022, 12, 26), False, "Christmas 2022 on a Sunday, observed Monday 26 December"),
    (date(2023, 1, 2), False, "New Year's Day 2023 on a Sunday, observed Monday 2 January"),
    (date(2023, 11, 10), False, "Veterans Day 2023 on a Saturday, observed Friday 10 November"),
    (date(2028, 11, 10), False, "Veterans Day 2028 on a Saturday, observed Friday 10 November"),
    (date(2020, 6, 19), True, "Juneteenth was not yet a federal holiday in 2020"),
    (date(2025, 1, 20), False, "MLK Day 2025 (also Inauguration Day)"),
    (date(2025, 5, 26), False, "Memorial Day 2025"),
]


@pytest.mark.parametrize(("day", "business", "why"), DAYS, ids=[w for _, _, w in DAYS])
def test_business_days(day, business, why):
    assert is_business_day(day) is business


def test_each_year_has_its_eleven_holidays():
    for year in range(2022, 2040):
        assert len(federal_holidays(year)) == 11
        assert len([d for d in observed_holidays(year) if d.weekday() < 5]) in (10, 11, 12)


# (received on, due on: the tenth business day after)
DEADLINES = [
    (date(2026, 12, 1), date(2026, 12, 15), "two plain weeks"),
    (date(2026, 12, 4), date(2026, 12, 18), "received on a Friday"),
    (date(2026, 12, 5), date(2026, 12, 18), "received on a Saturday counts from Monday"),
    (date(2026, 12, 18), date(2027, 1, 5), "over Christmas and New Year's Day"),
    (date(2026, 11, 20), date(2026, 12, 7), "over Thanksgiving"),
    (date(2026, 6, 29), date(2026, 7, 14), "over the Friday 3 July observance"),
    (date(2027, 12, 20), date(2028, 1, 5), "Christmas and New Year observed on Fridays"),
    (date(2026, 1, 9), date(2026, 1, 26), "over MLK Day"),
    (date(2026, 11, 5), date(2026, 11, 20), "over Veterans Day"),
]


@pytest.mark.parametrize(("received", "due", "why"), DEADLINES, ids=[w for _, _, w in DEADLINES])
def test_ten_business_days_after(received, due, why):
    assert business_days_after(received, 10) == due


def test_counting_back_from_a_due_date_skips_the_same_days():
    assert business_days_before(date(2027, 1, 5), 3) == date(2026, 12, 30)
    assert business_days_before(date(2026, 7, 7), 2) == date(2026, 7, 2)
    assert business_days_after(date(2026, 7, 2), 1) == date(2026, 7, 6)
    with pytest.raises(ValueError):
        business_days_after(date(2026, 7, 2), -1)
