"""Custom field values: one validator per field type, each returning canonical text.

Values are stored as text (CustomFieldValue.value) in one canonical form per type, so
that exports, filters and message merge tags read them the same way whoever typed
them: a form, a CSV upload or the API. A value that does not fit its type raises
`CustomFieldError` with a message written for the person who typed it; nothing is
stored in that case.
"""

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.errors import ServiceError
from core.text_rules import text_problem

from .models import CustomFieldType, Gender

STRING_MAX_LENGTH = 255
AGE_MAX = 130

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9


class CustomFieldError(ServiceError, ValueError):
    """A value that does not fit its field's type; str(error) is shown to the user."""


def _string(raw: str) -> str:
    if len(raw) > STRING_MAX_LENGTH:
        raise CustomFieldError(
            f"Text can be at most {STRING_MAX_LENGTH} characters (this one has {len(raw)})."
        )
    return raw


def _date(raw: str) -> str:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw, pattern).date().isoformat()
        except ValueError:
            continue
    raise CustomFieldError(f"“{raw}” is not a date. Use YYYY-MM-DD, for example 1990-07-14.")


_GENDER_WORDS = {
    "0": Gender.NOT_KNOWN,
    "not known": Gender.NOT_KNOWN,
    "unknown": Gender.NOT_KNOWN,
    "1": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "man": Gender.MALE,
    "2": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "9": Gender.NOT_APPLICABLE,
    "not applicable": Gender.NOT_APPLICABLE,
    "n/a": Gender.NOT_APPLICABLE,
}


def gender_code(raw: str) -> str:
    """An ISO/IEC 5218 code (0, 1, 2, 9) from the code itself or a common word."""
    code = _GENDER_WORDS.get(raw.strip().lower())
    if code is None:
        raise CustomFieldError(
            f"“{raw}” is not a gender. Use an ISO/IEC 5218 code: "
            "0 (not known), 1 (male), 2 (female), 9 (not applicable), or the word."
        )
    return str(code.value)


def _number(raw: str) -> str:
    text = raw.replace(",", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CustomFieldError(f"“{raw}” is not a number. Use digits, for example 42 or 3.5.")
    # Canonical: no exponent, no trailing zeros after the point (1.50 → 1.5, 1E3 → 1000).
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _age(raw: str) -> str:
    if not re.fullmatch(r"\+?\d{1,3}", raw):
        raise CustomFieldError(f"“{raw}” is not an age. Use a whole number from 0 to {AGE_MAX}.")
    age = int(raw)
    if age > AGE_MAX:
        raise CustomFieldError(f"An age must be between 0 and {AGE_MAX} (got {age}).")
    return str(age)


_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}


def _yesno(raw: str) -> str:
    word = raw.lower()
    if word in _YES:
        return "Yes"
    if word in _NO:
        return "No"
    raise CustomFieldError(f"“{raw}” is not yes or no. Use Yes or No (y/n, true/false also work).")


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$", re.IGNORECASE)


def _time_of_day(raw: str) -> str:
    text = raw.lower()
    if text == "noon":
        return "12:00"
    if text == "midnight":
        return "00:00"
    match = _TIME.match(text)
    if match and (match.group(2) or match.group(3)):
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if half:
            # 12am is midnight and 12pm noon; "13pm" is no time at all.
            hour = hour % 12 + (12 if half == "p" else 0) if 1 <= hour <= 12 else -1
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return f"{hour:02d}:{minute:02d}"
    raise CustomFieldError(
        f"“{raw}” is not a time of day. Use HH:MM on a 24-hour clock (19:30) or 7:30pm."
    )


def _anniversary(raw: str) -> str:
    text = raw.lower().replace(",", " ").strip()
    month = day = None
    # A full date (1990-02-14) counts too: its month and day are the anniversary.
    if m := re.fullmatch(r"(?:\d{4}-)?(\d{1,2})\s*[-/.]\s*(\d{1,2})", text):
        month, day = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?", text):
        month, day = _MONTHS.get(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?", text):
        month, day = _MONTHS.get(m.group(2)), int(m.group(1))
    if month is not None and day is not None:
        try:
            date(2000, month, day)  # a leap year, so February 29 is a valid anniversary
        except ValueError:
            pass
        else:
            return f"{month:02d}-{day:02d}"
    raise CustomFieldError(
        f"“{raw}” is not a month and day. Use MM-DD, for example 02-14 or Feb 14."
    )


VALIDATORS: dict[str, Callable[[str], str]] = {
    CustomFieldType.STRING: _string,
    CustomFieldType.DATE: _date,
    CustomFieldType.GENDER: gender_code,
    CustomFieldType.NUMBER: _number,
    CustomFieldType.AGE: _age,
    CustomFieldType.YESNO: _yesno,
    CustomFieldType.TIME_OF_DAY: _time_of_day,
    CustomFieldType.ANNIVERSARY: _anniversary,
}

FORMAT_HINTS: dict[str, str] = {
    CustomFieldType.STRING: f"Any text up to {STRING_MAX_LENGTH} characters",
    CustomFieldType.DATE: "YYYY-MM-DD",
    CustomFieldType.GENDER: "0, 1, 2, 9 or male/female",
    CustomFieldType.NUMBER: "A number, e.g. 3.5",
    CustomFieldType.AGE: f"0 to {AGE_MAX}",
    CustomFieldType.YESNO: "Yes or No",
    CustomFieldType.TIME_OF_DAY: "HH:MM (24h) or 7pm",
    CustomFieldType.ANNIVERSARY: "MM-DD, e.g. 02-29",
}


def custom_value_clean(field_type: str, raw: object) -> str:
    """Canonical text for `raw` as a value of `field_type`, or CustomFieldError."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise CustomFieldError("Enter a value, or delete the value instead.")
    problem = text_problem(text)
    if problem:
        raise CustomFieldError(f"The value contains {problem}, which is not allowed.")
    validator = VALIDATORS.get(field_type)
    if validator is None:
        raise CustomFieldError(f"Unknown field type “{field_type}”.")
    return validator(text)


def custom_value_display(field_type: str, value: str) -> str:
    """How a stored value reads on the page (gender codes get their ISO/IEC 5218 name)."""
    if field_type == CustomFieldType.GENDER and value in Gender.values:
        return f"{Gender(value).label} ({value})"
    return value
