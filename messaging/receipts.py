"""Provider delivery receipts (Twilio, Telnyx, Bandwidth) applied to our messages.

The generic aggregator's receipt (delivered or failed, with a bounce) goes through
`messaging.services.message_receipt_apply`; a provider's receipt is richer (queued,
sent, delivered, throttled, permanent failures with a fact about the number) and is
applied here with the same failure policy (`message_record_failure`).

Receipts come at least once and in any order, so the stored state is read back as a
`Delivery` and merged with `providers.receipts.status_merge`: only a receipt that moves
the message up changes anything. The same receipt twice, a late "sent" after
"delivered", or a "delivered" after a permanent failure change nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from campaigns.services_subscriptions import profile_opt_out
from core.phones import phone_normalize
from profiles.models import CleanedReason

from .bounces import (
    CARRIER_ORIGIN,
    profile_clean,
    profile_delivered,
    profile_mark_invalid,
    profile_soft_bounce,
)
from .gateways import SendResult
from .models import Channel, Message
from .providers.bandwidth import ERRORS as BANDWIDTH_ERRORS
from .providers.base import (
    OPT_OUT_SOURCE,
    Delivery,
    DeliveryStatus,
    ErrorMeaning,
    NumberFact,
    StatusUpdate,
    error_meaning,
)
from .providers.receipts import status_merge
from .providers.telnyx import ERRORS as TELNYX_ERRORS
from .providers.twilio import ERRORS as TWILIO_ERRORS
from .services import message_record_failure

logger = logging.getLogger(__name__)

ERROR_TABLES: dict[str, dict[str, ErrorMeaning]] = {
    "twilio": TWILIO_ERRORS,
    "telnyx": TELNYX_ERRORS,
    "bandwidth": BANDWIDTH_ERRORS,
}


def _stored_delivery(message: Message, table: dict[str, ErrorMeaning]) -> Delivery | None:
    """The message's delivery state as the merge sees it; None if it never left."""
    if message.status == Message.Status.FAILED:
        fact = error_meaning(table, message.error_code).number_fact
        return Delivery(DeliveryStatus.FAILED, True, message.error_code, fact)
    if message.status in (Message.Status.SENT, Message.Status.READ):
        if message.delivered_at is not None:
            return Delivery(DeliveryStatus.DELIVERED)
        return Delivery(DeliveryStatus.SENT)
    if message.status == Message.Status.QUEUED and message.error_code:
        # A throttled attempt waiting for its re-send (message_record_failure).
        return Delivery(DeliveryStatus.FAILED, False, message.error_code)
    if message.status in (Message.Status.QUEUED, Message.Status.INITIAL):
        return Delivery(DeliveryStatus.QUEUED)
    return None  # Undeliverable: refused before any provider saw it


def _number_fact(message: Message, update: StatusUpdate) -> None:
    profile = message.profile
    if profile is None or update.number_fact is None:
        return
    reason = (
        f"{update.description} ({update.error_code})" if update.error_code else update.description
    )
    if update.number_fact == NumberFact.OPTED_OUT:
        # The carrier holds the subscriber's STOP (it answered it itself).
        profile_opt_out(profile=profile, source=OPT_OUT_SOURCE, origin=CARRIER_ORIGIN)
    elif update.number_fact == NumberFact.INVALID:
        profile_mark_invalid(
            profile=profile, reason=f"Carrier: {reason}", landline="landline" in reason.lower()
        )
    elif update.number_fact == NumberFact.HARD_BOUNCE:
        profile_clean(profile=profile, reason=CleanedReason.HARD_BOUNCE)
    elif update.number_fact == NumberFact.SOFT_BOUNCE:
        profile_soft_bounce(profile=profile)


def _permanent_failure(message: Message, update: StatusUpdate) -> str:
    message.status = Message.Status.FAILED
    message.error_code = update.error_code[:40]
    message.status_reason = (update.description or "Delivery failed")[:200]
    message.save(update_fields=["status", "error_code", "status_reason", "updated_at"])
    _number_fact(message, update)
    return "failed"


def _delivered(message: Message, update: StatusUpdate) -> str:
    now = timezone.now()
    message.status = Message.Status.SENT
    message.sent_at = message.sent_at or update.occurred_at or now
    message.delivered_at = update.occurred_at or now
    # The provider's own retry got through: the throttled attempt is history.
    message.error_code = ""
    message.status_reason = ""
    message.save(
        update_fields=[
            "status",
            "sent_at",
            "delivered_at",
            "error_code",
            "status_reason",
            "updated_at",
        ]
    )
    if message.profile is not None:
        profile_delivered(profile=message.profile)
    return "delivered"


def message_status_apply(*, channel: Channel, update: StatusUpdate) -> str:
    """Apply one provider receipt to the channel's company's message it names.

    Returns what happened: "unknown message", "other recipient", "not sent",
    "unchanged", "sent", "delivered", "retry" (throttled: sent again, the number is not
    blamed) or "failed".
    """
    table = ERROR_TABLES.get(channel.provider, {})
    with transaction.atomic():
        message = (
            Message.objects.for_company(channel.company)
            .select_for_update(of=("self",))
            .select_related("profile")
            .filter(gateway_message_id=update.external_id, direction=Message.Direction.MT)
            .first()
        )
        if message is None:
            return "unknown message"
        if update.recipient:
            recipient = phone_normalize(update.recipient).e164 or update.recipient
            if recipient != message.phone_number:
                return "other recipient"
        current = _stored_delivery(message, table)
        if current is None:
            return "not sent"
        merged = status_merge(current, update)
        if merged is current:
            return "unchanged"
        if update.segments and update.segments != message.segments:
            message.segments = update.segments
            message.save(update_fields=["segments", "updated_at"])
        if merged.status == DeliveryStatus.DELIVERED:
            return _delivered(message, update)
        if merged.status == DeliveryStatus.FAILED and merged.permanent:
            return _permanent_failure(message, update)
        if merged.status == DeliveryStatus.FAILED:
            # Throttled: a failure of this attempt, never of the number (no bounce).
            message.attempts = max(message.attempts, 1)
            result = SendResult(
                ok=False,
                error_code=update.error_code,
                error=update.description or "Throttled by the provider",
                retriable=True,
            )
            return message_record_failure(message, result)
        message.status = Message.Status.SENT
        message.sent_at = message.sent_at or update.occurred_at or timezone.now()
        message.save(update_fields=["status", "sent_at", "updated_at"])
        return "sent"
