"""CSV cells that a spreadsheet cannot run as formulas (OWASP "CSV injection").

Every CSV the product writes (exports, per-row outcomes, message downloads) passes its
cells through `csv_cell`, so a subscriber who texts "=HYPERLINK(...)" or signs up with
such a name cannot make an analyst's spreadsheet execute it.
"""

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A number written as text ("-5", "2.5", an E.164 "+12025551234") is data, not a formula.
_NUMBER_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: object) -> str:
    """Text for one cell: None → "", datetimes in UTC ISO-like form, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value.tzinfo else value.isoformat(" ")
    if isinstance(value, int | float | Decimal | date):
        return str(value)  # numbers are data, even negative ones
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        # A leading apostrophe makes Excel, LibreOffice and Sheets show the text as text.
        return "'" + text
    return text


def csv_row(values: Sequence[object]) -> list[str]:
    return [csv_cell(v) for v in values]


def text_cell_safe(value: object) -> object:
    """`csv_cell`'s formula rule for a cell that may arrive as text already.

    The Django admin's exports (django-import-export) hand over cells rendered as
    strings, numbers included, so a leading "+" or "-" alone cannot tell a formula from
    a phone number there. Non-text cells (the typed cells of spreadsheet formats) pass.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _NUMBER_TEXT.fullmatch(value):
        return value
    return "'" + value
