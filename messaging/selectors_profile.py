"""Reads of one profile's messages (the profile page's Messages tab, its CSV export,
the Subscriptions tab's scheduled messages and the activity feed).

Views pass a profile already fetched with `Profile.objects.for_company(...)`, so every
read here is scoped to the current company through that profile.
"""

from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from profiles.models import Profile

from .models import Message, MOType, MTType


def profile_scheduled_messages(*, profile: Profile) -> QuerySet:
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


def message_origin_expression() -> Case:
    """Where a message came from, as the activity feed's Origin filter names it."""
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
