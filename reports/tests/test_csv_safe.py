from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reports.csv_safe import csv_cell, csv_row


@pytest.mark.parametrize(
    "hostile",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")'],
)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(hostile):
    assert csv_cell(hostile) == "'" + hostile


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
