"""What messaging contributes to profiles, registered in MessagingConfig.ready().

profiles sits below messaging in the layer contract and may not import it, yet the
profile page (its Messages tab, the Subscriptions tab's scheduled messages, the
activity feed), the broadcast's profiles table, Profile Summary and erasing a profile
all read or write messages. Each is written here and handed to profiles through its
registries (profiles.extensions).
"""

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from api import sub
from campaigns.models import Broadcast
from campaigns.profile_parts import scope_active
from profiles.extensions import (
    Eraser,
    FeedSource,
    ProfileTab,
    ScopeKind,
    SummaryPart,
    TabData,
    erasers,
    feed_sources,
    profile_tabs,
    scope_kinds,
    summary_parts,
    tab_data,
)
from profiles.models import Profile
from profiles.selectors_detail import EVENT_STATUS_GROUPS, MESSAGE_STATUS_GROUPS, FeedItem
from profiles.services import ERASED_PREFIX
from profiles.views.detail import link_rows, tab_page

from .api import message_summary_element
from .labels import message_type_label
from .models import Message
from .selectors_profile import (
    message_origin_expression,
    message_status_labels,
    profile_messages,
    profile_scheduled_messages,
)

# --- The profile page ----------------------------------------------------------------


def _messages_tab(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    page_obj = tab_page(request, profile_messages(profile=profile, search=ctx["q"]))
    link_rows(page_obj)
    for message in page_obj:
        message.status_labels = message_status_labels(message)
        message.type_label = message_type_label(message.message_type, message.direction)
    ctx["page_obj"] = page_obj


def _scheduled_messages(request: HttpRequest, profile: Profile, ctx: dict[str, Any]) -> None:
    """The Subscriptions tab's messages still waiting for their time."""
    ctx["scheduled"] = list(profile_scheduled_messages(profile=profile)[:50])
    link_rows(ctx["scheduled"])


def _feed_messages(
    *, profile: Profile, channel: str, origin: str, status: str, days: int | None
) -> QuerySet | None:
    """The profile's messages matching the activity feed's filters, newest first."""
    if channel == "profile" or status in EVENT_STATUS_GROUPS:
        return None
    messages = (
        Message.objects.filter(profile=profile)
        .select_related("campaign", "broadcast", "sent_by")
        .annotate(origin=message_origin_expression())
    )
    if days:
        messages = messages.filter(created_at__gte=timezone.now() - timedelta(days=days))
    if channel:
        messages = messages.filter(channel=channel)
    if origin:
        messages = messages.filter(origin=origin)
    if status in MESSAGE_STATUS_GROUPS:
        messages = messages.filter(status__in=MESSAGE_STATUS_GROUPS[status])
    return messages.order_by("-created_at", "-id")


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


# --- The broadcast's profiles table (profiles.selectors.ProfileScope) -----------------


def _load_broadcast(company: Any, object_id: int) -> Broadcast:
    return Broadcast.objects.for_company(company).get(pk=object_id)


def _broadcast_members(scope: Any) -> Exists:
    """The profiles the broadcast was sent to."""
    return Exists(
        Message.objects.filter(
            broadcast_id=scope.object_id,
            direction=Message.Direction.MT,
            profile=OuterRef("pk"),
        )
    )


# --- Profile Summary and erasure ------------------------------------------------------


def _summary_messages(element: Any, profile: Profile) -> None:
    container = sub(element, "messages")
    for message in profile.messages.select_related("campaign").order_by("-created_at")[:100]:
        message_summary_element(container, message)


def _erase_messages(profile: Profile) -> None:
    """An erased profile's messages keep their rows (the audit trail), not their text."""
    Message.objects.filter(profile=profile).update(
        body="", attachment=None, media_url="", phone_number=f"{ERASED_PREFIX}{profile.pk}"
    )


def register() -> None:
    # The Messages tab sits between Subscriptions (30) and Donations (50).
    profile_tabs.register(ProfileTab("messages", "Messages", 40, _messages_tab))
    tab_data.register(TabData("scheduled_messages", "subscriptions", 10, _scheduled_messages))
    # After the profile's own events, before links' clicks (20).
    feed_sources.register(FeedSource("messages", 10, _feed_messages, _message_item))
    scope_kinds.register(
        ScopeKind("broadcast", 20, _load_broadcast, _broadcast_members, scope_active)
    )
    # Before campaigns' donations (20) in Profile Summary.
    summary_parts.register(SummaryPart("messages", 10, "include_messages", _summary_messages))
    erasers.register(Eraser("messages", 10, _erase_messages))
