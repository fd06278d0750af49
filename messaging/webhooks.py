"""The aggregator's webhooks: who sent them, when, and what their bodies may hold.

Every webhook request carries two headers:

    X-Shortcode-Timestamp: <Unix time in whole seconds>
    X-Shortcode-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

keyed with SMS_WEBHOOK_SECRET (the bare hex is accepted too). The timestamp is part of
the signed material, so a captured request cannot be given a fresh one; a request
signed more than WEBHOOK_TOLERANCE away from our clock (either way) is refused, and
within that window a replayed incoming text is caught by its aggregator message id.

Bodies are small flat JSON objects. Anything larger than WEBHOOK_MAX_BODY_BYTES is
refused before it is read into a dict, and every field is checked for its type and
length here, once, so the services below only ever see strings that fit their columns.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings

from .models import GATEWAY_MESSAGE_ID_MAX_LENGTH, Message

SIGNATURE_HEADER = "X-Shortcode-Signature"
TIMESTAMP_HEADER = "X-Shortcode-Timestamp"
WEBHOOK_TOLERANCE = timedelta(minutes=5)
# 1600 characters is the longest text aggregators pass on (ten concatenated segments);
# written as JSON \uXXXX escapes that is 9.6 KB, so the body cap leaves room for that.
TEXT_MAX_LENGTH = 1600
WEBHOOK_MAX_BODY_BYTES = 16 * 1024
NUMBER_MAX_LENGTH = 40  # Message.originator; a formatted phone number fits with room
RECEIPT_STATUSES = ("delivered", "failed")
BOUNCES = ("", "hard", "soft")


class WebhookRefused(Exception):
    """A webhook request we do not act on, with the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def webhook_signature(body: bytes, timestamp: int | str, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.SMS_WEBHOOK_SECRET).encode()
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(key, signed, hashlib.sha256).hexdigest()


def webhook_headers(
    body: bytes, *, timestamp: int | None = None, secret: str | None = None
) -> dict[str, str]:
    """The headers an aggregator sends with `body` (now, unless told another time)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        TIMESTAMP_HEADER: str(moment),
        SIGNATURE_HEADER: webhook_signature(body, moment, secret),
    }


def webhook_verify(
    *, body: bytes, signature: str | None, timestamp: str | None, now: float | None = None
) -> None:
    """Raise WebhookRefused (403) unless the request is signed with our secret and fresh."""
    if not settings.SMS_WEBHOOK_SECRET:
        raise WebhookRefused("webhooks are not configured (SMS_WEBHOOK_SECRET)", 403)
    if not signature:
        raise WebhookRefused(f"missing {SIGNATURE_HEADER} header", 403)
    moment = (timestamp or "").strip()
    if not moment.isdigit():
        raise WebhookRefused(f"missing or malformed {TIMESTAMP_HEADER} header", 403)
    given = signature.strip()
    if not given.startswith("sha256="):
        given = "sha256=" + given
    if not hmac.compare_digest(given, webhook_signature(body, moment)):
        raise WebhookRefused("invalid signature", 403)
    skew = (time.time() if now is None else now) - int(moment)
    if abs(skew) > WEBHOOK_TOLERANCE.total_seconds():
        when = "old" if skew > 0 else "in the future"
        raise WebhookRefused(
            f"the request's timestamp is more than {WEBHOOK_TOLERANCE.seconds // 60} "
            f"minutes {when}",
            403,
        )


def webhook_payload(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or WebhookRefused (400) saying what is wrong with it."""
    try:
        payload = json.loads(body)
    except RecursionError:
        # json gives up on nesting deeper than the interpreter's recursion limit.
        raise WebhookRefused("the body is nested too deeply") from None
    except ValueError:  # also bad UTF-8 (UnicodeDecodeError is a ValueError)
        raise WebhookRefused("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRefused("the body must be a JSON object")
    return payload


def _column_length(name: str) -> int:
    return int(getattr(Message._meta.get_field(name), "max_length", 0) or 0)


def _text(payload: dict[str, Any], name: str, max_length: int, *, required: bool = False) -> str:
    """One string field: absent or null is empty; any other type, or too long, is refused."""
    value = payload.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise WebhookRefused(f"{name} must be a string")
    if required and not value.strip():
        raise WebhookRefused(f"{name} is required")
    if len(value) > max_length:
        raise WebhookRefused(f"{name} is longer than {max_length} characters")
    return value


@dataclass(frozen=True)
class InboundText:
    """An incoming SMS/MMS as the generic webhook sends it."""

    sender: str  # "from": the subscriber's number
    to: str  # the number texted: one of a company's numbers
    id: str  # the aggregator's message id
    body: str
    media_url: str


def inbound_text_read(payload: dict[str, Any]) -> InboundText:
    return InboundText(
        sender=_text(payload, "from", NUMBER_MAX_LENGTH, required=True),
        to=_text(payload, "to", NUMBER_MAX_LENGTH, required=True),
        id=_text(payload, "id", GATEWAY_MESSAGE_ID_MAX_LENGTH, required=True),
        body=_text(payload, "body", TEXT_MAX_LENGTH),
        # Bounded by the body cap only: the link rule in message_receive drops a link it
        # cannot store (unsafe or longer than its column) and keeps the text, so a STOP
        # sent with an odd link still opts out.
        media_url=_text(payload, "media_url", WEBHOOK_MAX_BODY_BYTES),
    )


@dataclass(frozen=True)
class DeliveryReceipt:
    """A delivery receipt for a message we sent."""

    id: str  # the aggregator's id of our message
    sender: str  # "from": the company number the message was sent from
    status: str
    error_code: str
    error: str
    bounce: str


def delivery_receipt_read(payload: dict[str, Any]) -> DeliveryReceipt:
    receipt = DeliveryReceipt(
        id=_text(payload, "id", GATEWAY_MESSAGE_ID_MAX_LENGTH, required=True),
        sender=_text(payload, "from", NUMBER_MAX_LENGTH, required=True),
        status=_text(payload, "status", 20, required=True),
        error_code=_text(payload, "error_code", _column_length("error_code")),
        error=_text(payload, "error", _column_length("status_reason")),
        bounce=_text(payload, "bounce", 10),
    )
    if receipt.status not in RECEIPT_STATUSES:
        raise WebhookRefused("status must be delivered or failed")
    if receipt.bounce not in BOUNCES:
        raise WebhookRefused("bounce must be hard or soft")
    return receipt
