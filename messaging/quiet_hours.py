"""Quiet hours: broadcasts reach a recipient only inside the sending window, in the
recipient's own local time.

The window is SMS_SENDING_WINDOW_START–END (08:00–21:00, the TCPA's hours) unless the
company narrowed it (some states end at 20:00); a company can never widen it. Outside
the window a broadcast message waits for the next opening, and the validity period
handed to the provider ends when the window closes, so a carrier backlog cannot
deliver it at night either.

The recipient's zone, in order: the profile's own `timezone`; else the zone of the
number's prefix (libphonenumber's time-zone data, per area code for North America);
else the campaign's zone. Postal codes are not used: no postal-code → zone table ships
offline, and a state alone is ambiguous (a dozen US states span two zones).

The zone is computed in SQL when it is needed rather than stored on the profile: every
bulk writer of profiles (COPY in the demo seed, INSERT … SELECT in group uploads, the
API) would otherwise have to maintain a derived column, and a missed path would send at
night. The prefix table is small (about two thousand North American prefixes), built
once per region and looked up in SQL as one jsonb object per prefix length: a million
profiles take about three seconds, in the one scan that splits a broadcast by zone.

Direct replies are exempt by type (`EXEMPT_TYPES`): a person who just texted expects the
answer now, whatever the hour. The same types make up the priority queue.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from functools import cache
from typing import Any

import phonenumbers
from django.conf import settings
from django.db.models import CharField, Expression, F, Func, Value
from django.db.models.functions import Coalesce, NullIf, Substr
from phonenumbers import tzdata

from accounts.models import Company

from .models import MTType

# Replies to a text the person just sent: chat, HELP, the STOP receipt, and what a
# keyword, a question or a clear request answers with. Never held, sent with priority.
EXEMPT_TYPES = frozenset(
    {
        MTType.DIRECT_MESSAGE,
        MTType.HELP_RESPONSE,
        MTType.OPT_OUT_RECEIPT,
        MTType.OPT_IN_CONFIRMATION,
        MTType.CLEAR_RESPONSE,
        MTType.MDATA_RESPONSE,
        MTType.PERSISTENT_MDATA_RESPONSE,
        MTType.DUPLICATE_SUBSCRIPTION_NOTIFICATION,
        MTType.DONATION_CONFIRMATION,
        MTType.DONATION_APPROVED,
        MTType.DONATION_DECLINED,
        MTType.DONATION_EXCEEDED,
        MTType.DONATION_FAILURE,
        MTType.DONATION_UNCONFIRMED,
    }
)

# Twilio's ValidityPeriod accepts 1–36000 seconds; the other providers accept at least that.
VALIDITY_MIN_SECONDS = 1
VALIDITY_MAX_SECONDS = 36_000


def is_held_type(message_type: str, *, broadcast: bool) -> bool:
    """Whether quiet hours apply: broadcast traffic, except the reply types."""
    return broadcast and message_type not in EXEMPT_TYPES


# ── the window ────────────────────────────────────────────────────────────────────


def legal_window() -> tuple[dt.time, dt.time]:
    return settings.SMS_SENDING_WINDOW_START, settings.SMS_SENDING_WINDOW_END


def sending_window(company: Company) -> tuple[dt.time, dt.time]:
    """The company's window, never wider than the legal one."""
    start, end = legal_window()
    if company.send_window_start is not None:
        start = max(start, company.send_window_start)
    if company.send_window_end is not None:
        end = min(end, company.send_window_end)
    return start, end


def zone_or(name: str, fallback: str) -> zoneinfo.ZoneInfo:
    for candidate in (name, fallback):
        try:
            return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def _at(day: dt.date, wall: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    # zoneinfo resolves the offset of that very day, so the US DST change days open at
    # 08:00 local like any other day.
    return dt.datetime.combine(day, wall, tzinfo=zone).astimezone(dt.UTC)


def window_opens_at(
    moment: dt.datetime, zone: zoneinfo.ZoneInfo, window: tuple[dt.time, dt.time]
) -> dt.datetime:
    """`moment` itself when the window is open then, else the next opening (UTC)."""
    start, end = window
    local_day = moment.astimezone(zone).date()
    opens, closes = _at(local_day, start, zone), _at(local_day, end, zone)
    if moment < opens:
        return opens
    if moment < closes:
        return moment
    return _at(local_day + dt.timedelta(days=1), start, zone)


def window_seconds_left(
    moment: dt.datetime, zone: zoneinfo.ZoneInfo, window: tuple[dt.time, dt.time]
) -> int:
    """Seconds from `moment` until today's window closes (0 when it is not open)."""
    if window_opens_at(moment, zone, window) != moment:
        return 0
    closes = _at(moment.astimezone(zone).date(), window[1], zone)
    return int((closes - moment).total_seconds())


def validity_period(
    moment: dt.datetime, zone: zoneinfo.ZoneInfo, window: tuple[dt.time, dt.time]
) -> int:
    """The provider's validity period: until the window closes, within what it accepts."""
    left = window_seconds_left(moment, zone, window)
    return max(VALIDITY_MIN_SECONDS, min(VALIDITY_MAX_SECONDS, left))


# ── the recipient's zone ─────────────────────────────────────────────────────────


@cache
def prefix_zones(region: str) -> dict[str, str]:
    """Number prefix (digits after the +) → zone, for the region's country code.

    A prefix libphonenumber gives several zones maps to "" so that it shadows a shorter
    single-zone prefix instead of guessing; such numbers fall through to the campaign.
    """
    code = str(phonenumbers.country_code_for_region(region) or "")
    table = {}
    for prefix, zones in tzdata.TIMEZONE_DATA.items():
        if code and prefix.startswith(code) and prefix != code:
            table[prefix] = zones[0] if len(zones) == 1 else ""
    return table


def _region() -> str:
    return settings.SMS_DEFAULT_REGION or "US"


def number_zone(phone_number: str) -> str:
    """The zone of a number's longest known prefix, or "" (Python twin of the SQL)."""
    table = prefix_zones(_region())
    digits = phone_number.lstrip("+")
    for length in sorted({len(p) for p in table}, reverse=True):
        zone = table.get(digits[:length])
        if zone is not None:
            return zone
    return ""


class _JsonText(Func):
    """`map ->> key` on PostgreSQL: one binary search in a jsonb object per row."""

    template = "(%(expressions)s)"
    arg_joiner = "::jsonb ->> "
    output_field = CharField()


@cache
def _prefix_maps(region: str) -> list[tuple[int, str]]:
    """(prefix length, JSON object "+prefix" → zone) longest first."""
    maps: dict[int, dict[str, str]] = defaultdict(dict)
    for prefix, zone in prefix_zones(region).items():
        maps[len(prefix)]["+" + prefix] = zone
    return [(length, json.dumps(maps[length])) for length in sorted(maps, reverse=True)]


def number_zone_expression(phone_field: str = "phone_number") -> Expression:
    """The zone of the number's longest known prefix as SQL ("" when ambiguous, NULL
    when unknown): each prefix length looked up in a jsonb object, a million rows in
    about three seconds."""
    return Coalesce(
        *[
            _JsonText(Value(table), Substr(F(phone_field), 1, length + 1))
            for length, table in _prefix_maps(_region())
        ],
        output_field=CharField(),
    )


def recipient_zone_expression(
    *, fallback: Expression | str, profile_path: str = "", phone_field: str = "phone_number"
) -> Coalesce:
    """Each row's recipient zone: the profile's, else the number's, else `fallback`.

    `profile_path` reaches the profile from the queried model ("profile__" from a
    message); `fallback` is the campaign's zone (a name, or an expression per row).
    """
    fallback_expr = Value(fallback) if isinstance(fallback, str) else fallback
    return Coalesce(
        NullIf(F(f"{profile_path}timezone"), Value("")),
        NullIf(number_zone_expression(phone_field), Value("")),
        fallback_expr,
        output_field=CharField(),
    )


def recipient_zone(*, profile_zone: str, phone_number: str, campaign_zone: str) -> str:
    """Python twin of `recipient_zone_expression`, for one message."""
    return profile_zone or number_zone(phone_number) or campaign_zone


def message_window(message: Any, *, now: dt.datetime) -> tuple[dt.datetime | None, int | None]:
    """One outgoing message at `now`: (the next opening when it must wait, else None;
    its validity period, or None when quiet hours do not apply to it)."""
    if not is_held_type(message.message_type, broadcast=message.broadcast_id is not None):
        return None, None
    campaign_zone = message.campaign.timezone if message.campaign_id else "UTC"
    name = recipient_zone(
        profile_zone=message.profile.timezone if message.profile_id else "",
        phone_number=message.phone_number,
        campaign_zone=campaign_zone,
    )
    zone = zone_or(name, campaign_zone)
    window = sending_window(message.company)
    opens = window_opens_at(now, zone, window)
    if opens != now:
        return opens, None
    return None, validity_period(now, zone, window)
