"""Reads behind the profile page's tabs. Each returns rows for one profile only.

Views pass a profile already fetched with `Profile.objects.for_company(...)`, so every
read here is scoped to the current company through that profile.
"""

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from messaging.labels import message_type_label

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


# --- Subscriptions --------------------------------------------------------------------


def profile_subscriptions(*, profile: Profile, search: str = "") -> list[Any]:
    """The latest subscription per campaign (seed 000's table); older ones are history."""
    from campaigns.models import Subscription

    rows = (
        Subscription.objects.filter(profile=profile)
        .select_related("campaign", "opt_in_path", "opt_in_user")
        .order_by("campaign__name", "-created_at", "-id")
    )
    if search:
        rows = rows.filter(campaign__name__icontains=search)
    latest: dict[int, Any] = {}
    history: dict[int, int] = {}
    for sub in rows:
        if sub.campaign_id in latest:
            history[sub.campaign_id] = history.get(sub.campaign_id, 0) + 1
        else:
            latest[sub.campaign_id] = sub
    for campaign_id, sub in latest.items():
        sub.history_count = history.get(campaign_id, 0)
    return list(latest.values())


def subscription_history(*, profile: Profile, campaign_id: int) -> QuerySet:
    """Older subscriptions of one campaign, newest first, without the current one."""
    from campaigns.models import Subscription

    rows = (
        Subscription.objects.filter(profile=profile, campaign_id=campaign_id)
        .select_related("campaign", "opt_in_path", "opt_in_user")
        .order_by("-created_at", "-id")
    )
    latest = rows.first()
    return rows.exclude(pk=latest.pk) if latest else rows


def profile_scheduled_messages(*, profile: Profile) -> QuerySet:
    from messaging.models import Message

    return (
        Message.objects.filter(
            profile=profile,
            direction=Message.Direction.MT,
            status__in=[Message.Status.INITIAL, Message.Status.QUEUED],
            scheduled_at__isnull=False,
        )
        .select_related("campaign", "broadcast")
        .order_by("scheduled_at")
    )


# --- Messages -------------------------------------------------------------------------


def message_origin_expression() -> Case:
    """Where a message came from, as the activity feed's Origin filter names it."""
    from messaging.models import Message, MOType, MTType

    return Case(
        When(broadcast__isnull=False, then=Value("broadcast")),
        When(sent_by__isnull=False, then=Value("inbox")),
        When(
            message_type__in=[MTType.DIRECT_MESSAGE, MOType.DIRECT_RESPONSE],
            then=Value("inbox"),
        ),
        When(
            Q(campaign__isnull=False) | Q(direction=Message.Direction.MO),
            then=Value("campaign"),
        ),
        default=Value("transaction"),
        output_field=CharField(),
    )


def profile_messages(*, profile: Profile, search: str = "") -> QuerySet:
    from messaging.models import Message

    rows = (
        Message.objects.filter(profile=profile)
        .select_related("campaign", "broadcast", "attachment", "sent_by")
        .annotate(origin=message_origin_expression())
        .order_by("-created_at", "-id")
    )
    if search:
        rows = rows.filter(Q(body__icontains=search) | Q(campaign__name__icontains=search))
    return rows


def message_status_labels(message: Any) -> list[str]:
    """Seed 000's Status column: the delivery status, then the kind of message."""
    from messaging.models import Message

    labels = [message.status]
    if message.channel == Message.Channel.MMS or message.attachment_id or message.media_url:
        labels.append("MMS")
    elif message.channel == Message.Channel.RCS:
        labels.append("RCS")
    elif message.multipart or message.segments > 1:
        labels.append("Multi-part SMS")
    else:
        labels.append("Single-part SMS")
    return labels


# --- Donations ------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationTotals:
    total_amount: Decimal
    highest_amount: Decimal
    count: int


def profile_donations(*, profile: Profile) -> QuerySet:
    from campaigns.models import Donation

    return (
        Donation.objects.filter(profile=profile)
        .select_related("fundraising")
        .order_by("-donated_at", "-id")
    )


def profile_donation_totals(*, profile: Profile) -> DonationTotals:
    """Totals over successful donations only (status accepted), as seed 000 defines them."""
    from campaigns.models import Donation

    agg = Donation.objects.filter(profile=profile, status=Donation.Status.ACCEPTED).aggregate(
        total=Sum("amount"), highest=Max("amount"), count=Count("id")
    )
    return DonationTotals(
        total_amount=agg["total"] or Decimal("0"),
        highest_amount=agg["highest"] or Decimal("0"),
        count=agg["count"],
    )


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

_MESSAGE_STATUS_GROUPS = {
    "delivered": ["Sent", "Read (RCS)"],
    "queued": ["Initial", "Queued"],
    "failed": ["Failed Permanently"],
    "rejected": ["Undeliverable"],
    "received": ["Received"],
}
_EVENT_STATUS_GROUPS = {
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


def _activity_querysets(
    *, profile: Profile, channel: str, origin: str, status: str, days: int | None
) -> tuple[QuerySet | None, QuerySet | None]:
    from messaging.models import Message

    # Both are narrowed lazily (no query here); a filter that leaves one kind out drops it.
    show_events = show_messages = True
    events: QuerySet = ActivityEvent.objects.filter(profile=profile).select_related("actor")
    messages: QuerySet = (
        Message.objects.filter(profile=profile)
        .select_related("campaign", "broadcast", "sent_by")
        .annotate(origin=message_origin_expression())
    )
    if days:
        since = timezone.now() - timedelta(days=days)
        events = events.filter(created_at__gte=since)
        messages = messages.filter(created_at__gte=since)
    if channel == "profile":
        show_messages = False
        events = events.filter(channel__in=["", "profile", "web"])
    elif channel:
        messages = messages.filter(channel=channel)
        events = events.filter(channel=channel)
    if origin:
        messages = messages.filter(origin=origin)
        events = events.filter(origin=origin)
    if status in _MESSAGE_STATUS_GROUPS:
        show_events = False
        messages = messages.filter(status__in=_MESSAGE_STATUS_GROUPS[status])
    elif status in _EVENT_STATUS_GROUPS:
        show_messages = False
        events = events.filter(kind__in=_EVENT_STATUS_GROUPS[status])
    return (events if show_events else None), (messages if show_messages else None)


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


def _message_item(message: Any) -> FeedItem:
    direction = "Received" if message.direction == "mo" else "Sent"
    actor = ""
    if message.sent_by:
        actor = message.sent_by.get_full_name() or message.sent_by.username
    return FeedItem(
        at=message.created_at,
        kind="message",
        title=f"{message.get_channel_display()} {direction.lower()}: "
        f"{message_type_label(message.message_type, message.direction)}",
        detail=message.body,
        channel=message.channel,
        origin=message.origin,
        status=message.status,
        actor=actor,
        obj=message,
    )


def _activity_clicks(
    *, profile: Profile, channel: str, origin: str, status: str, days: int | None
) -> QuerySet | None:
    """The profile's tracked-link clicks: web activity, from a broadcast's link or not."""
    from links.selectors import profile_clicks  # links depends on profiles

    if channel or status or origin not in ("", "broadcast"):
        return None
    clicks = profile_clicks(profile=profile)
    if origin == "broadcast":
        clicks = clicks.filter(link__broadcast__isnull=False)
    if days:
        clicks = clicks.filter(clicked_at__gte=timezone.now() - timedelta(days=days))
    return clicks


def _click_item(click: Any) -> FeedItem:
    return FeedItem(
        at=click.clicked_at,
        kind="click",
        title="Clicked a link",
        detail=click.link.url,
        channel="web",
        origin="broadcast" if click.link.broadcast_id else "",
        status="",
        actor="",
        obj=click,
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
    """One chronological feed of events and messages, newest first, one page of it.

    Events and messages live in two tables; each is read already sorted and limited
    to the rows that can reach the requested page, and the two are merged here.
    """
    events, messages = _activity_querysets(
        profile=profile, channel=channel, origin=origin, status=status, days=days
    )
    page = max(1, page)
    needed = page * per_page
    streams = []
    total = 0
    if events is not None:
        total += events.count()
        streams.append(_event_item(e) for e in events.order_by("-created_at", "-id")[:needed])
    if messages is not None:
        total += messages.count()
        streams.append(_message_item(m) for m in messages.order_by("-created_at", "-id")[:needed])
    clicks = _activity_clicks(
        profile=profile, channel=channel, origin=origin, status=status, days=days
    )
    if clicks is not None:
        total += clicks.count()
        streams.append(_click_item(c) for c in clicks[:needed])
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
