import pytest

from core.phones import PhoneReason, phone_format_readable, phone_normalize


@pytest.mark.parametrize(
    "typed",
    [
        "(202) 555-0123",
        "+1 202-555-0123",
        "12025550123",
        "2025550123",
        "202.555.0123",
        " 202 555 0123 ",
        "\ufeff2025550123",
        "1.2025550123E10",
        "1.2025550123e+10",
        '"+1 (202) 555-0123"',
        "+1\u00a0202\u00a0555\u00a00123",
    ],
)
def test_every_common_way_of_typing_a_us_number_gives_the_same_e164(typed, settings):
    settings.SMS_DEFAULT_REGION = "US"
    result = phone_normalize(typed)
    assert result.e164 == "+12025550123"
    assert result.valid and result.textable
    assert result.digits == "12025550123"


def test_a_landline_is_kept_with_its_reason():
    result = phone_normalize("+44 20 7183 8750", region="US")
    assert result.e164 == "+442071838750"
    assert result.valid and not result.textable
    assert result.reason == PhoneReason.LANDLINE


def test_a_mobile_of_another_country_is_recognisable():
    result = phone_normalize("+44 7912 345678", region="US")
    assert result.e164 == "+447912345678"
    assert result.reason.startswith(PhoneReason.FOREIGN)
    assert result.country == "GB"
    assert result.carrier_name  # phonenumbers knows UK mobile carriers


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", PhoneReason.EMPTY),
        ("   ", PhoneReason.EMPTY),
        ("call me maybe", PhoneReason.UNPARSEABLE),
        ("555-1234-5678-9999-0000", PhoneReason.UNPARSEABLE),
        ("+1 555 123 4567", PhoneReason.INVALID),
        ("12345", PhoneReason.INVALID),
    ],
)
def test_numbers_that_cannot_be_used_say_why(typed, reason):
    result = phone_normalize(typed, region="US")
    assert not result.valid
    assert result.reason == reason


def test_readable_format_groups_digits_for_people():
    assert phone_format_readable("+12025550123") == "+1 202-555-0123"


def test_a_home_number_is_shown_in_national_form_and_a_foreign_one_in_international():
    from core.phones import phone_display

    assert phone_display("+16055556443") == "(605) 555-6443"
    assert phone_display("+442071838750") == "+44 20 7183 8750"
    assert phone_display("not a number") == "not a number"
    assert phone_display("") == ""
