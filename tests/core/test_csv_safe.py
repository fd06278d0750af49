from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.csv_safe import csv_cell, csv_row, text_cell_safe


@pytest.mark.parametrize(
    "hostile",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")'],
)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(hostile):
    assert csv_cell(hostile) == "'" + hostile


@pytest.mark.parametrize(
    "hostile",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")'],
)
def test_a_formula_arriving_as_text_is_neutralised_like_any_cell(hostile):
    assert text_cell_safe(hostile) == csv_cell(hostile) == "'" + hostile


def test_numbers_arriving_as_text_stay_data():
    cells = ["+12025550123", "-5", "-5.00", "2.5", "Ana", 7, None]
    assert [text_cell_safe(c) for c in cells] == cells


def test_ordinary_text_and_numbers_pass_unchanged():
    assert csv_row(["Ana", 12025550123, Decimal("-5.00"), None, True, False]) == [
        "Ana",
        "12025550123",
        "-5.00",
        "",
        "Yes",
        "No",
    ]


def test_datetimes_are_written_in_utc():
    assert csv_cell(datetime(2024, 5, 1, 13, 4, 5, tzinfo=UTC)) == "2024-05-01 13:04:05 UTC"
