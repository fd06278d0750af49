"""Custom field values are checked by type; a wrong value gets a clear message."""

import pytest

from profiles.custom_fields import CustomFieldError, custom_value_clean, custom_value_display

GOOD = [
    ("string", "Blue", "Blue"),
    ("string", "  padded  ", "padded"),
    ("date", "1990-07-14", "1990-07-14"),
    ("date", "07/14/1990", "1990-07-14"),
    ("gender", "1", "1"),
    ("gender", "female", "2"),
    ("gender", "Male", "1"),
    ("gender", "9", "9"),
    ("gender", "0", "0"),
    ("number", "42", "42"),
    ("number", "3.50", "3.5"),
    ("number", "-1,250.75", "-1250.75"),
    ("number", "1E3", "1000"),
    ("age", "0", "0"),
    ("age", "130", "130"),
    ("age", "34", "34"),
    ("yesno", "Yes", "Yes"),
    ("yesno", "n", "No"),
    ("yesno", "TRUE", "Yes"),
    ("yesno", "false", "No"),
    ("time_of_day", "19:30", "19:30"),
    ("time_of_day", "7pm", "19:00"),
    ("time_of_day", "7:15 AM", "07:15"),
    ("time_of_day", "12am", "00:00"),
    ("time_of_day", "12pm", "12:00"),
    ("anniversary", "02-29", "02-29"),
    ("anniversary", "2/14", "02-14"),
    ("anniversary", "Feb 29", "02-29"),
    ("anniversary", "14 July", "07-14"),
    ("anniversary", "1990-12-25", "12-25"),
]

BAD = [
    ("string", "x" * 256, "at most 255 characters"),
    ("string", "   ", "Enter a value"),
    ("date", "1990-13-01", "is not a date"),
    ("date", "yesterday", "is not a date"),
    ("date", "2023-02-29", "is not a date"),
    ("gender", "3", "is not a gender"),
    ("gender", "robot", "ISO/IEC 5218"),
    ("number", "twelve", "is not a number"),
    ("number", "NaN", "is not a number"),
    ("age", "131", "between 0 and 130"),
    ("age", "-1", "is not an age"),
    ("age", "12.5", "is not an age"),
    ("yesno", "maybe", "is not yes or no"),
    ("time_of_day", "25:00", "is not a time of day"),
    ("time_of_day", "13pm", "is not a time of day"),
    ("time_of_day", "7", "is not a time of day"),
    ("anniversary", "02-30", "is not a month and day"),
    ("anniversary", "13-01", "is not a month and day"),
    ("anniversary", "Smarch 3", "is not a month and day"),
]


@pytest.mark.parametrize(("field_type", "raw", "canonical"), GOOD)
def test_a_good_value_is_stored_in_its_canonical_form(field_type, raw, canonical):
    assert custom_value_clean(field_type, raw) == canonical


@pytest.mark.parametrize(("field_type", "raw", "message"), BAD)
def test_a_wrong_value_is_refused_with_a_message_that_says_why(field_type, raw, message):
    with pytest.raises(CustomFieldError) as error:
        custom_value_clean(field_type, raw)
    assert message in str(error.value)


def test_every_one_of_the_eight_types_has_good_and_bad_cases():
    types = {"string", "date", "gender", "number", "age", "yesno", "time_of_day", "anniversary"}
    assert {t for t, _, _ in GOOD} == types
    assert {t for t, _, _ in BAD} == types


def test_a_gender_code_reads_with_its_iso_name():
    assert custom_value_display("gender", "2") == "Female (2)"
    assert custom_value_display("number", "2") == "2"
