"""Turning whatever a person or a spreadsheet typed into one E.164 number.

Numbers arrive from web forms, CSV uploads, CRM syncs and the API. Seed 000 warns
that landlines and numbers of other countries end up in the data set anyway, so this
module never silently drops them: it returns the number with a reason that callers
store (profile.invalid_data_description) or report row by row.
"""

import contextlib
import functools
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from phonenumbers import PhoneNumberType, carrier, geocoder  # noqa: F401 (geocoder kept for callers)

_SCIENTIFIC = re.compile(r"^\s*[+-]?\d+(\.\d+)?[eE]\+?\d+\s*$")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200e\u200f\u00a0"), None)

_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
    PhoneNumberType.VOIP: "voip",
}


class PhoneReason:
    EMPTY = "Empty phone number"
    UNPARSEABLE = "Not a phone number"
    INVALID = "Invalid phone number"
    LANDLINE = "Landline: cannot receive text messages"
    FOREIGN = "Number of another country"


@dataclass(frozen=True)
class PhoneResult:
    raw: str
    e164: str | None
    valid: bool
    reason: str = ""
    number_type: str = "unknown"
    country: str = ""
    carrier_name: str = ""

    @property
    def textable(self) -> bool:
        """A number we may try to text: valid, not a landline, of the home country."""
        return self.valid and not self.reason

    @property
    def digits(self) -> str:
        return (self.e164 or "").lstrip("+")


def _clean(raw: object) -> str:
    text = "" if raw is None else str(raw)
    text = text.translate(_INVISIBLE).strip().strip('"').strip("'").strip()
    if _SCIENTIFIC.match(text):
        # Excel shows long numbers as 1.2025550123E10; Decimal keeps every digit.
        with contextlib.suppress(InvalidOperation):
            text = format(Decimal(text), "f").split(".")[0]
    return text


def phone_normalize(raw: object, *, region: str | None = None) -> PhoneResult:
    """Parse any common way of writing a phone number into E.164, with a reason if it
    cannot be texted. `region` (default SMS_DEFAULT_REGION) applies to national forms."""
    region = (region or settings.SMS_DEFAULT_REGION).upper()
    text = _clean(raw)
    if not text:
        return PhoneResult(raw=str(raw or ""), e164=None, valid=False, reason=PhoneReason.EMPTY)
    digits = re.sub(r"\D", "", text)
    if not digits or len(digits) > 17 or re.search(r"[A-Za-z]{2,}", text):
        return PhoneResult(raw=text, e164=None, valid=False, reason=PhoneReason.UNPARSEABLE)
    candidates = [text]
    if not text.startswith("+"):
        # "12025550123" and "442071838750": digits that already carry a country code.
        candidates.append("+" + digits)
    parsed = None
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            parsed = number
            break
        parsed = parsed or number
    if parsed is None:
        return PhoneResult(raw=text, e164=None, valid=False, reason=PhoneReason.UNPARSEABLE)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(parsed):
        return PhoneResult(raw=text, e164=e164, valid=False, reason=PhoneReason.INVALID)
    country = phonenumbers.region_code_for_number(parsed) or ""
    kind = _TYPE_NAMES.get(phonenumbers.number_type(parsed), "other")
    carrier_name = carrier.name_for_number(parsed, "en") or ""
    reason = ""
    if kind == "landline":
        reason = PhoneReason.LANDLINE
    elif phonenumbers.region_code_for_country_code(parsed.country_code or 0) != region and (
        parsed.country_code != phonenumbers.country_code_for_region(region)
    ):
        reason = f"{PhoneReason.FOREIGN} ({country})"
    return PhoneResult(
        raw=text,
        e164=e164,
        valid=True,
        reason=reason,
        number_type=kind,
        country=country,
        carrier_name=carrier_name,
    )


def phone_format_readable(e164: str) -> str:
    """+12025550123 → +1 202-555-0123, for people to read."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# +1 and ten digits, the first not 0: what phonenumbers.parse makes of it is exactly
# PhoneNumber(country_code=1, national_number=<the ten digits>), at a sixtieth of the
# cost (parse is most of formatting a number, and a table formats one per row).
_NANP_E164 = re.compile(r"^\+1([1-9]\d{9})$")


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    match = _NANP_E164.match(e164)
    if match:
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(match.group(1)))
    return phonenumbers.parse(e164, None)


def phone_display(e164: str, *, region: str | None = None) -> str:
    """How a number is shown on a page: +12025550123 → (202) 555-0123 for a number of the
    company's own country (SMS_DEFAULT_REGION), +44 20 7183 8750 for any other. Links,
    data attributes and exports keep the E.164 form."""
    if not e164:
        return ""
    return _display(e164, (region or settings.SMS_DEFAULT_REGION).upper())


# Finding a +1 number's region tries each NANP country's number patterns in turn, and
# with the formatting that is some 50 µs a number: a list page shows 50 of them and
# shows the same ones again on every refresh (the inbox polls every 15 seconds). The
# answer depends only on the number and the home region, so it is remembered; 8,192
# entries are a few hundred kilobytes.
@functools.lru_cache(maxsize=8192)
def _display(e164: str, home: str) -> str:
    try:
        number = _parse_e164(e164)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == home:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_digits(text: str) -> str:
    """The digits of a search term, for matching numbers however the user typed them.

    A leading US trunk "1" is kept: "+1 202" and "1202" both search for "1202".
    """
    return re.sub(r"\D", "", _clean(text))


def phone_digest(e164: str) -> str:
    """What the suppression list stores for a number: SHA-256 of its E.164 form, so the
    list that keeps an erased number from ever being texted does not hold the number."""
    return hashlib.sha256(e164.encode()).hexdigest()


def phone_digest_sql(column: str) -> str:
    """phone_digest as PostgreSQL computes it (11+ has sha256(bytea) built in), for
    set-based checks of many numbers against the suppression list at once."""
    return f"ENCODE(SHA256(CONVERT_TO({column}, 'UTF8')), 'hex')"
