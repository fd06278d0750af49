"""The subscriber chart's geometry: one scale for both directions, opt-ins above the
zero line and opt-outs below it, labels that say what each bar is."""

import datetime as dt

from pytest import approx

from reports.charts import BOTTOM, HEIGHT, TOP, days_table_rows, subscriber_chart
from reports.dashboard import Day, period_from

START = dt.date(2026, 11, 1)


def _days(pairs):
    return [
        Day(day=START + dt.timedelta(days=i), opt_ins=a, opt_outs=b)
        for i, (a, b) in enumerate(pairs)
    ]


def test_opt_ins_rise_above_the_zero_line_and_opt_outs_hang_below_it_on_one_scale():
    chart = subscriber_chart(_days([(4, 0), (0, 2), (2, 1)]))
    plot = HEIGHT - TOP - BOTTOM
    assert chart.zero_y == TOP + plot * 4 / 6
    tall, short = chart.ins
    assert float(tall.y) == TOP and float(tall.h) == approx(plot * 4 / 6, abs=0.01)
    assert float(short.h) == approx(float(tall.h) / 2, abs=0.01)  # 2 is half of 4
    deep, shallow = chart.outs
    assert float(deep.y) == approx(chart.zero_y, abs=0.01)
    assert float(deep.h) == approx(plot * 2 / 6, abs=0.01)
    assert float(shallow.h) == approx(float(deep.h) / 2, abs=0.01)
    assert tall.title == "Nov 1: 4 opt-ins" and deep.title == "Nov 2: 2 opt-outs"
    assert (
        'class="bar-out"' in chart.outs_markup
        and "<title>Nov 2: 2 opt-outs</title>" in chart.outs_markup
    )


def test_an_empty_period_draws_its_axis_in_the_middle_with_no_bars():
    chart = subscriber_chart(_days([(0, 0)] * 7))
    assert chart.empty and not chart.ins and not chart.outs
    assert chart.zero_y == TOP + (HEIGHT - TOP - BOTTOM) / 2


def test_ninety_days_get_about_seven_date_labels_ending_on_the_last_day():
    chart = subscriber_chart(_days([(1, 0)] * 90))
    assert 6 <= len(chart.ticks) <= 8
    assert chart.ticks[-1].label == "Jan 29"


def test_the_data_table_lists_the_newest_day_first_and_escapes_nothing_it_should_not():
    rows = days_table_rows(_days([(1200, 3), (0, 1)]))
    assert rows.index("Mon Nov 2") < rows.index("Sun Nov 1")
    assert "<td>1,200</td><td>3</td><td>1,197</td>" in rows


def test_the_period_is_one_of_the_three_offered():
    assert [period_from(v) for v in ("7", "90", "30", "5", "x", None)] == [7, 90, 30, 30, 30, 30]
