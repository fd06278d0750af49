"""Reads behind the profile page's tabs. Each returns rows for one profile only.

Views pass a profile already fetched with `Profile.objects.for_company(...)`, so every
read here is scoped to the current company through that profile.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.db.models import QuerySet
from django.utils import timezone

from .extensions import feed_sources
from .models import (
    ActivityEvent,
    CustomField,
    CustomFieldValue,
    Legislator,
    Note,
    Profile,
)

# --- Custom fields --------------------------------------------------------------------


@dataclass
class CustomFieldRow:
    field: CustomField
    value: CustomFieldValue | None
    display: str = ""  # set by the view: how the value reads
    hint: str = ""  # set by the view: the format the type expects


def profile_custom_fields(*, profile: Profile, search: str = "") -> list[CustomFieldRow]:
    """Every field the company defines, with this profile's value where it has one."""
    fields = CustomField.objects.for_company(profile.company).order_by("name")
    if search:
        fields = fields.filter(name__icontains=search)
    values = {
        v.field_id: v
        for v in CustomFieldValue.objects.filter(profile=profile, field__in=list(fields))
    }
    return [CustomFieldRow(field=f, value=values.get(f.pk)) for f in fields]


# --- Notes ----------------------------------------------------------------------------


def profile_notes(*, profile: Profile) -> QuerySet[Note]:
    return Note.objects.filter(profile=profile).select_related("author").order_by("-created_at")


# --- Activity feed --------------------------------------------------------------------

ACTIVITY_CHANNELS = [("sms", "SMS"), ("mms", "MMS"), ("rcs", "RCS"), ("profile", "Profile")]
ACTIVITY_ORIGINS = [
    ("campaign", "Campaign"),
    ("broadcast", "Broadcast"),
    ("inbox", "Inbox (direct)"),
    ("api", "API"),
    ("transaction", "Transaction"),
    ("profile", "Profile page"),
]
ACTIVITY_STATUSES = [
    ("delivered", "Delivered"),
    ("queued", "Queued"),
    ("failed", "Failed"),
    ("rejected", "Rejected"),
    ("received", "Received"),
    ("subscribed", "Subscribed"),
    ("unsubscribed", "Unsubscribed"),
]
ACTIVITY_PERIODS = [(7, "7 days"), (14, "14 days"), (30, "30 days")]

MESSAGE_STATUS_GROUPS = {
    "delivered": ["Sent", "Read (RCS)"],
    "queued": ["Initial", "Queued"],
    "failed": ["Failed Permanently"],
    "rejected": ["Undeliverable"],
    "received": ["Received"],
}
EVENT_STATUS_GROUPS = {
    "subscribed": [ActivityEvent.Kind.SUBSCRIBED, ActivityEvent.Kind.REACTIVATED],
    "unsubscribed": [ActivityEvent.Kind.UNSUBSCRIBED, ActivityEvent.Kind.OPTED_OUT],
}


@dataclass(frozen=True)
class FeedItem:
    """One line of the activity feed: an ActivityEvent or a Message, made alike."""

    at: datetime
    kind: str  # "event" or "message"
    title: str
    detail: str
    channel: str
    origin: str
    status: str
    actor: str
    obj: Any


def _activity_events(
    *, profile: Profile, channel: str, origin: str, status: str, days: int | None
) -> QuerySet | None:
    """The profile's events matching the feed's filters, newest first."""
    if status in MESSAGE_STATUS_GROUPS:
        return None
    events = ActivityEvent.objects.filter(profile=profile).select_related("actor")
    if days:
        events = events.filter(created_at__gte=timezone.now() - timedelta(days=days))
    if channel == "profile":
        events = events.filter(channel__in=["", "profile", "web"])
    elif channel:
        events = events.filter(channel=channel)
    if origin:
        events = events.filter(origin=origin)
    if status in EVENT_STATUS_GROUPS:
        events = events.filter(kind__in=EVENT_STATUS_GROUPS[status])
    return events.order_by("-created_at", "-id")


def _event_item(event: ActivityEvent) -> FeedItem:
    return FeedItem(
        at=event.created_at,
        kind="event",
        title=event.get_kind_display(),
        detail=event.description,
        channel=event.channel,
        origin=event.origin,
        status="",
        actor=(event.actor.get_full_name() or event.actor.username) if event.actor else "",
        obj=event,
    )


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    number: int
    total: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class _FeedFilters(TypedDict):
    """The activity feed's filters, as every feed source takes them."""

    channel: str
    origin: str
    status: str
    days: int | None


def profile_activity(
    *,
    profile: Profile,
    channel: str = "",
    origin: str = "",
    status: str = "",
    days: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> FeedPage:
    """One chronological feed of events, messages and clicks, newest first, one page of it.

    They live in separate tables; each is read already sorted and limited to the rows
    that can reach the requested page, and the streams are merged here.
    """
    filters: _FeedFilters = {"channel": channel, "origin": origin, "status": status, "days": days}
    # Messages and clicks are messaging's and links' rows (layers above profiles): those
    # apps register them as feed sources, after the profile's own events.
    sources: list[tuple[QuerySet | None, Callable[[Any], FeedItem]]] = [
        (_activity_events(profile=profile, **filters), _event_item)
    ]
    sources += [(source.rows(profile=profile, **filters), source.item) for source in feed_sources]
    page = max(1, page)
    needed = page * per_page
    streams = []
    total = 0
    for rows, item in sources:
        if rows is not None:
            total += rows.count()
            streams.append(map(item, rows[:needed]))
    merged = heapq.merge(*streams, key=lambda item: item.at, reverse=True)
    items = list(merged)[(page - 1) * per_page : needed]
    return FeedPage(items=items, number=page, total=total, per_page=per_page)


# --- Legislators ----------------------------------------------------------------------

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
    "washington dc": "DC", "washington d.c.": "DC",
}  # fmt: skip


def state_code(raw: str) -> str:
    text = (raw or "").strip()
    if len(text) == 2:
        return text.upper()
    return US_STATES.get(text.lower(), "")


def district_number(raw: str) -> str:
    """'NY-12' → '12', '012' → '12', 'AL'/'at-large' → '0' (congress-legislators' at-large)."""
    text = (raw or "").strip().upper()
    if "-" in text:
        text = text.rsplit("-", 1)[1]
    if text in {"AL", "AT-LARGE", "AT LARGE", "00"}:
        return "0"
    return text.lstrip("0") or ("0" if text else "")


@dataclass(frozen=True)
class LegislatorGroup:
    label: str
    office: str
    people: list[Legislator]
    needs: str  # the address data the profile lacks to find them; "" when it has it
    where: str = ""  # the state (and district) searched, when the profile has them


def profile_legislators(*, profile: Profile) -> tuple[list[LegislatorGroup], bool]:
    """The legislators for the profile's state and districts; and whether data is missing."""
    state = state_code(profile.state or profile.geocoded_state)
    cd = district_number(profile.congressional_district)
    upper = district_number(profile.state_upper_district)
    lower = district_number(profile.state_lower_district)
    if not state and profile.congressional_district and "-" in profile.congressional_district:
        state = state_code(profile.congressional_district.split("-", 1)[0])
    office = Legislator.Office
    wanted = [
        ("Senators", office.SENATOR, None, "a state"),
        ("Congressperson", office.CONGRESSPERSON, cd, "a congressional district"),
        ("State Senators", office.STATE_SENATOR, upper, "a state senate district"),
        ("State Representative", office.STATE_REPRESENTATIVE, lower, "a state house district"),
        ("Governor", office.GOVERNOR, None, "a state"),
    ]
    groups = []
    incomplete = not state
    for label, code, district, needs in wanted:
        people: list[Legislator] = []
        searchable = bool(state and (district is None or district))
        if searchable:
            rows = Legislator.objects.filter(state=state, office=code)
            if district is not None:
                rows = rows.filter(district__in=_district_spellings(district))
            people = list(rows.order_by("senate_class", "last_name"))
        elif state:
            incomplete = True
        where = f"{state}-{district}" if searchable and district else state if searchable else ""
        groups.append(
            LegislatorGroup(
                label=label,
                office=code,
                people=people,
                needs="" if searchable else needs,
                where=where,
            )
        )
    return groups, incomplete


def legislator_data_loaded() -> bool:
    """Whether any legislator data is loaded at all (it is public data, loaded by an
    Admin with `manage.py load_legislators FILE`, not something a profile lacks)."""
    return Legislator.objects.exists()


def _district_spellings(district: str) -> list[str]:
    return list({district, district.zfill(2), district.zfill(3)})
