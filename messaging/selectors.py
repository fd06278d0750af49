"""Reads about messages and conversations that several features share."""

from django.db.models import Q, QuerySet

from profiles.models import Profile

from .models import Conversation, Message


def profile_current_campaign(*, profile: Profile):
    """The campaign a number is texting into: that of our latest message to it, else its
    only active subscription. None when it cannot be told (seed 004: "unknown")."""
    from campaigns.models import Subscription

    latest = (
        Message.objects.filter(
            profile=profile, direction=Message.Direction.MT, campaign__isnull=False
        )
        .select_related("campaign")
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is not None:
        return latest.campaign
    active = list(
        Subscription.objects.filter(profile=profile, status=Subscription.Status.ACTIVE)
        .select_related("campaign")
        .order_by("-created_at")[:2]
    )
    if len(active) == 1:
        return active[0].campaign
    return None


def profile_last_mt(*, profile: Profile) -> Message | None:
    return (
        Message.objects.filter(profile=profile, direction=Message.Direction.MT)
        .order_by("-created_at", "-id")
        .first()
    )


def conversation_awaiting(*, profile: Profile) -> Conversation | None:
    """The conversation waiting for this number's reply, most recent first."""
    return (
        Conversation.objects.filter(profile=profile)
        .exclude(awaiting=Conversation.Awaiting.NOTHING)
        .select_related("campaign")
        .order_by("-updated_at")
        .first()
    )


def conversation_messages(*, profile: Profile, after_id: int | None = None) -> QuerySet[Message]:
    """A profile's messages both ways, oldest first, for the chat window."""
    messages = (
        Message.objects.filter(profile=profile)
        .select_related("sent_by", "campaign")
        .order_by("created_at", "id")
    )
    if after_id:
        messages = messages.filter(Q(id__gt=after_id))
    return messages
