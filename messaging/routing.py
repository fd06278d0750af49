"""Which company a message belongs to: the company whose number it was sent to or from.

An incoming text is the company's because it was sent to one of the company's numbers,
and a delivery receipt because our message left from one. Nothing else decides it: not
a keyword (two companies may both run RENT), not who last texted the number, not a key
in the body. A number that is no company's is refused, never guessed, so a subscriber is
never filed under, profiled by or replied to by a company they did not text.

Today a company has one number, Company.short_code (a short code, or a long code typed
in any spelling). When companies get several sending numbers this is the one function
that changes.
"""

import re

from profiles.models import Company
from profiles.phones import phone_normalize

_SHORT_CODE = re.compile(r"\d{3,8}")
_SPACING = re.compile(r"[\s().-]")


class Unroutable(Exception):
    """The number is none of our companies' numbers (or is shared by several)."""


def number_normalize(raw: str) -> str:
    """One spelling of a company number: a short code as its digits, a long code in
    E.164; empty when it is neither."""
    text = _SPACING.sub("", raw or "")
    if _SHORT_CODE.fullmatch(text):
        return text
    return phone_normalize(raw).e164 or ""


def company_for_number(number: str) -> Company:
    """The company whose number `number` is, or Unroutable saying why there is none."""
    wanted = number_normalize(number)
    if not wanted:
        if not (number or "").strip():
            raise Unroutable("no company number was given")
        raise Unroutable(f"{number!r} is not a short code or a phone number")
    # Admins type numbers in any spelling ("22 822", "(202) 555-0100"), so the stored side
    # is normalised too. A company has one number and companies are few, so comparing
    # them all costs less than the text's other queries; the sending numbers of a later
    # change will be stored normalised and found by an index.
    candidates = Company.objects.exclude(short_code="")
    matches = [c for c in candidates if number_normalize(c.short_code) == wanted]
    if not matches:
        raise Unroutable(f"{number!r} is not the number of any company")
    if len(matches) > 1:
        raise Unroutable(f"{number!r} is the number of several companies")
    return matches[0]
