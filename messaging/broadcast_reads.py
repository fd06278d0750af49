"""The Message reads and the test send that campaigns' broadcast pages show.

They read or write Message rows, so they are messaging's; campaigns reaches them
through its port (campaigns.messaging_port), which MessagingConfig.ready() fills.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Company, Membership
from campaigns.broadcast_actions import TestSendError, TestSent
from campaigns.compose import MessageBodyError, body_validate
from campaigns.models import Broadcast, BroadcastChunk, Campaign
from core.phones import phone_normalize
from profiles.creation import profile_get_or_create
from profiles.models import SourceType
from profiles.services import ProfileActionError

from .models import Message, MTType
from .quiet_hours import recipient_zone_expression, zone_or
from .services import message_send


def broadcast_sent_segments(*, broadcast: Broadcast) -> dict[int, int]:
    """Segments → recipients, from the broadcast's stored messages."""
    rows = (
        Message.objects.filter(broadcast=broadcast, direction=Message.Direction.MT)
        .values("segments")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["segments"]: row["n"] for row in rows}


def broadcast_waiting_for_window(*, broadcast: Broadcast) -> dict[str, Any]:
    """Recipients of a broadcast waiting for their sending window, and the next opening.

    One query: the held chunks (not yet expanded into messages, counted by their
    planned size) and the messages delivery put back to wait, grouped by zone and time.
    """
    chunks = (
        BroadcastChunk.objects.filter(
            broadcast=broadcast, status=BroadcastChunk.Status.PENDING, held_for_window=True
        )
        .values(zone=F("timezone"), opens=F("not_before"))
        .annotate(n=Sum("planned_count"))
        .order_by()
    )
    held = (
        Message.objects.filter(
            broadcast=broadcast,
            direction=Message.Direction.MT,
            status=Message.Status.INITIAL,
            scheduled_at__isnull=False,
        )
        .annotate(
            zone=recipient_zone_expression(
                fallback=Coalesce(F("campaign__timezone"), Value("UTC")),
                profile_path="profile__",
            )
        )
        .values("zone", opens=F("scheduled_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = sorted(chunks.union(held, all=True), key=lambda row: row["opens"])
    if not rows:
        return {"count": 0}
    first = rows[0]
    zone = zone_or(first["zone"], broadcast.campaign.timezone)
    return {
        "count": sum(row["n"] for row in rows),
        "next_opens": first["opens"],
        "next_zone": first["zone"],
        "next_local": first["opens"].astimezone(zone).strftime("%H:%M"),
    }


@transaction.atomic
def broadcast_test_send(
    *,
    company: Company,
    campaign: Campaign,
    body: str,
    phone: str,
    actor: User,
) -> Message:
    """Send `body` to the sender's own phone, through the one send function.

    The message is typed broadcast_test and belongs to no broadcast, so it never counts
    in a broadcast's recipients or statistics. The number needs a profile to be sent
    through the send rule (which refuses opted-out, blacklisted or suppressed numbers);
    one is created when the company has none. The number is remembered on the user's
    membership for the next test.
    """
    if campaign.company_id != company.pk:
        raise TestSendError("The campaign belongs to another company.")
    result = phone_normalize(phone)
    if not result.textable or not result.e164:
        raise TestSendError(f"{phone or 'That'} cannot receive a test: {result.reason}.")
    try:
        body_validate(body, company=company)  # merge fields too: the test is filled in
    except MessageBodyError as error:
        raise TestSendError(str(error)) from None
    try:
        # The one creation rule (suppression check, first-seen source, created event).
        profile, _ = profile_get_or_create(
            company=company,
            phone=result,
            source_type=SourceType.INBOX,
            source_name="Broadcast test send",
            by=actor,
            origin="broadcast_test",
            description="Created by a broadcast test send",
        )
    except ProfileActionError as error:
        raise TestSendError(str(error)) from None
    message = message_send(
        company=company,
        profile=profile,
        body=body,
        campaign=campaign,
        message_type=MTType.BROADCAST_TEST,
        sent_by=actor,
    )
    # A refused test is kept like any refused message (status Undeliverable with its
    # reason): the caller shows the reason instead of "sent".
    if message.status != Message.Status.UNDELIVERABLE:
        Membership.objects.filter(company=company, user=actor).update(test_phone=result.e164)
    return message


def broadcast_test_sent(**kwargs: Any) -> TestSent:
    """`broadcast_test_send` as campaigns' pages see it (campaigns.messaging_port)."""
    message = broadcast_test_send(**kwargs)
    return TestSent(
        phone_number=message.phone_number,
        undeliverable=message.status == Message.Status.UNDELIVERABLE,
        reason=message.status_reason,
    )
