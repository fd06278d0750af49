"""Which company a message belongs to: the company whose number it was sent to or from.

An incoming text is the company's because it was sent to one of the company's numbers,
and a delivery receipt because our message left from one. Nothing else decides it: not
a keyword (two companies may both run RENT), not who last texted the number, not a key
in the body. A number that is no company's is refused, never guessed, so a subscriber is
never filed under, profiled by or replied to by a company they did not text.

A company's numbers are its active channels (messaging.models.Channel), stored
normalised and found through a unique index. Company.short_code is still read as a
company's number when no channel has it: the migration that made every short code a
channel covers existing companies, and this covers a short code set since (the admin,
the demo data), until Company.short_code's last readers move to channels.
"""

import re

from accounts.models import Company
from core.errors import ErrorKind, ServiceError
from core.phones import phone_normalize

from .models import Channel

_SHORT_CODE = re.compile(r"\d{3,8}")
_SPACING = re.compile(r"[\s().-]")


class Unroutable(ServiceError):
    """The number is none of our companies' numbers (or is shared by several)."""

    kind = ErrorKind.NOT_FOUND


def number_normalize(raw: str) -> str:
    """One spelling of a company number: a short code as its digits, a long code in
    E.164; empty when it is neither."""
    text = _SPACING.sub("", raw or "")
    if _SHORT_CODE.fullmatch(text):
        return text
    return phone_normalize(raw).e164 or ""


def _wanted(number: str) -> str:
    wanted = number_normalize(number)
    if not wanted:
        if not (number or "").strip():
            raise Unroutable("no company number was given")
        raise Unroutable(f"{number!r} is not a short code or a phone number")
    return wanted


def channel_for_number(number: str) -> Channel | None:
    """The active channel whose number `number` is; None when no channel has it.

    Unroutable when `number` is no number at all.
    """
    return (
        Channel.objects.filter(number=_wanted(number), active=True)
        .select_related("company")
        .first()
    )


def company_for_number(number: str) -> Company:
    """The company whose number `number` is, or Unroutable saying why there is none."""
    channel = channel_for_number(number)
    if channel is not None:
        return channel.company
    wanted = _wanted(number)
    # The legacy number (see above). Admins typed it in any spelling ("22 822",
    # "(202) 555-0100"), so the stored side is normalised too; companies are few.
    candidates = Company.objects.exclude(short_code="")
    matches = [c for c in candidates if number_normalize(c.short_code) == wanted]
    if not matches:
        raise Unroutable(f"{number!r} is not the number of any company")
    if len(matches) > 1:
        raise Unroutable(f"{number!r} is the number of several companies")
    return matches[0]
