"""How times and phone numbers read on a page.

The request's time zone is the company's (CurrentCompanyMiddleware activates it), so a
time is always shown in that zone with the zone named: "1 Dec 2026, 18:00 EST".
"""

import datetime as dt
import zoneinfo

from django import template
from django.utils import dateformat, timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.timezone import _datetime_ambiguous_or_imaginary  # type: ignore[attr-defined]  # private: what Django's T format uses; django-stubs omits it

from core.phones import phone_display

register = template.Library()

WHEN_FORMAT = "j M Y, H:i T"
WALL_FORMAT = "j M Y, H:i"


@register.filter
def when(value: object) -> str:
    """A moment in the company's zone, zone named: "1 Dec 2026, 18:00 EST"."""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return when_text(value)


_MONTHS: dict[str | None, list[str]] = {}


def when_text(value: dt.datetime) -> str:
    """dateformat.format(value, WHEN_FORMAT), which tables call once a row.

    Django's formatter dispatches each format character and looks the month name up
    in the active translation each time (half a millisecond a call on this machine);
    the month names are read once per language, the rest is the same arithmetic.
    """
    language = translation.get_language()
    months = _MONTHS.get(language)
    if months is None:
        months = _MONTHS[language] = ["", *(str(MONTHS_3[m]).title() for m in range(1, 13))]
    return (
        f"{value.day} {months[value.month]} {value.year:04d}, "
        f"{value.hour:02d}:{value.minute:02d} {_zone_name(value)}"
    )


def stamp_text(value: dt.datetime) -> str:
    """dateformat.format(value, "Y-m-d H:i:s T"), to the second (a row's title)."""
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} {_zone_name(value)}"
    )


def _zone_name(value: dt.datetime) -> str:
    """Django's T format: the zone's abbreviation, none for a time a DST change makes
    ambiguous or imaginary."""
    zone = value.tzinfo
    if zone is None or timezone.is_naive(value):
        zone = timezone.get_default_timezone()
    return "" if _datetime_ambiguous_or_imaginary(value, zone) else str(zone.tzname(value))


@register.filter
def subscriber_time(value: object, zone_name: str = "") -> str:
    """A local-time delivery: the wall-clock time (as typed, in `zone_name`) that each
    subscriber receives in their own zone. No zone abbreviation: it is not one moment."""
    if not isinstance(value, dt.datetime):
        return ""
    try:
        zone = zoneinfo.ZoneInfo(zone_name) if zone_name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    wall = value.astimezone(zone) if timezone.is_aware(value) else value
    return f"{dateformat.format(wall, WALL_FORMAT)} in each subscriber's own time zone"


@register.simple_tag
def current_zone_name() -> str:
    """The company's zone as people read it: "America/New_York" → "America/New York"."""
    return str(timezone.get_current_timezone_name()).replace("_", " ")


@register.filter
def phone(value: object) -> str:
    """E.164 for people: national form at home, international form for other countries."""
    return phone_display(str(value or ""))
