"""Telnyx Messaging v2: POST /v2/messages with a bearer key, JSON webhooks signed Ed25519.

Every webhook is {"data": {"event_type", "id", "occurred_at", "payload": {...}}}:
`message.received` (inbound; payload.from.phone_number, payload.to[], text, media[]),
`message.sent` and `message.finalized` (outbound; one status per payload.to[] recipient,
failures in payload.errors[].code). Telnyx signs `f"{telnyx-timestamp}|{raw body}"` with
its Ed25519 key (header telnyx-signature-ed25519, base64); the account's public key
verifies it, and a timestamp over five minutes old is refused as a replay, as the
official SDKs do.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .base import (
    DeliveryStatus,
    ErrorMeaning,
    HttpCall,
    InboundText,
    NumberFact,
    PayloadError,
    Provider,
    ProviderConfigError,
    SendRequest,
    SendResult,
    SignatureError,
    StatusUpdate,
    TelnyxCredentials,
    WebhookRequest,
    json_body,
    refused_result,
    status_update,
    transient_result,
)

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
TIMESTAMP_TOLERANCE_SECONDS = 300

# https://developers.telnyx.com/docs/messaging/messages/error-codes
ERRORS: dict[str, ErrorMeaning] = {
    "40300": ErrorMeaning("Blocked due to STOP message", NumberFact.OPTED_OUT),
    "40001": ErrorMeaning("Not routable: landline or non-routable wireless", NumberFact.INVALID),
    "40012": ErrorMeaning("Invalid messaging destination number", NumberFact.HARD_BOUNCE),
    "40006": ErrorMeaning("Recipient server unavailable", NumberFact.SOFT_BOUNCE),
    "40005": ErrorMeaning("Message expired during transmission", NumberFact.SOFT_BOUNCE),
    "40011": ErrorMeaning("Too many requests (upstream rate limit)", retryable=True),
    "10011": ErrorMeaning("Too many requests", retryable=True),
}

STATUSES: dict[str, DeliveryStatus] = {
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    # The carrier gave no receipt: the message left, nothing says it failed.
    "delivery_unconfirmed": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "sending_failed": DeliveryStatus.FAILED,
    "delivery_failed": DeliveryStatus.FAILED,
    "expired": DeliveryStatus.FAILED,
}

INBOUND_EVENTS = {"message.received"}
STATUS_EVENTS = {"message.sent", "message.finalized"}


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _event(request: WebhookRequest) -> tuple[str, dict[str, Any]]:
    document = json_body(request.body)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise PayloadError("the body has no data.payload object")
    event_type = data.get("event_type")
    if event_type not in INBOUND_EVENTS | STATUS_EVENTS:
        raise PayloadError(f"unknown event_type '{event_type}'")
    payload = data["payload"]
    if not payload.get("id"):
        raise PayloadError("field 'data.payload.id' required")
    return event_type, {**payload, "_occurred_at": data.get("occurred_at")}


def _recipients(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    recipients = payload.get("to") or []
    if not isinstance(recipients, list) or not all(isinstance(r, dict) for r in recipients):
        raise PayloadError("field 'data.payload.to' is not a list of recipients")
    return recipients


def _first_error(payload: Mapping[str, Any]) -> tuple[str, str]:
    errors = payload.get("errors") or []
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return str(first.get("code") or ""), str(first.get("title") or first.get("detail") or "")


class TelnyxProvider(Provider[TelnyxCredentials]):
    name = "telnyx"

    def verify(
        self, request: WebhookRequest, creds: TelnyxCredentials, *, now: float | None = None
    ) -> None:
        signature = request.header(SIGNATURE_HEADER)
        timestamp = request.header(TIMESTAMP_HEADER)
        if not signature or not timestamp:
            raise SignatureError("missing request signature")
        try:
            sent_at = int(timestamp)
        except ValueError as exc:
            raise SignatureError("the timestamp is not a number") from exc
        if abs((time.time() if now is None else now) - sent_at) > TIMESTAMP_TOLERANCE_SECONDS:
            raise SignatureError("the timestamp is more than five minutes old")
        if not creds.public_key:
            raise SignatureError("no public key configured for this number")
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(creds.public_key))
            raw_signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureError("the signature or the public key is not valid base64") from exc
        try:
            key.verify(raw_signature, timestamp.encode() + b"|" + request.body)
        except InvalidSignature as exc:
            raise SignatureError("invalid request signature") from exc

    def parse_inbound(self, request: WebhookRequest) -> list[InboundText]:
        event_type, payload = _event(request)
        if event_type not in INBOUND_EVENTS:
            return []
        sender = payload.get("from") or {}
        if not isinstance(sender, dict) or not sender.get("phone_number"):
            raise PayloadError("field 'data.payload.from.phone_number' required")
        recipients = _recipients(payload) or [{}]
        media = payload.get("media") or []
        if not isinstance(media, list):
            raise PayloadError("field 'data.payload.media' is not a list")
        return [
            InboundText(
                external_id=str(payload["id"]),
                from_number=sender["phone_number"],
                to_number=str(recipients[0].get("phone_number") or ""),
                text=str(payload.get("text") or ""),
                media_urls=tuple(m["url"] for m in media if isinstance(m, dict) and m.get("url")),
                received_at=_when(payload.get("received_at") or payload["_occurred_at"]),
            )
        ]

    def parse_status(self, request: WebhookRequest) -> list[StatusUpdate]:
        event_type, payload = _event(request)
        if event_type not in STATUS_EVENTS:
            return []
        recipients = _recipients(payload)
        if not recipients:
            raise PayloadError("field 'data.payload.to' required")
        code, description = _first_error(payload)
        segments = payload.get("parts") if isinstance(payload.get("parts"), int) else None
        occurred_at = _when(payload.get("completed_at") or payload["_occurred_at"])
        updates = []
        for recipient in recipients:
            provider_status = str(recipient.get("status") or "")
            status = STATUSES.get(provider_status)
            if status is None:
                raise PayloadError(f"unknown status '{provider_status}'")
            updates.append(
                status_update(
                    table=ERRORS,
                    status=status,
                    external_id=str(payload["id"]),
                    provider_status=provider_status,
                    recipient=str(recipient.get("phone_number") or ""),
                    error_code=code,
                    description=description,
                    segments=segments,
                    occurred_at=occurred_at,
                )
            )
        return updates

    def build_send(self, msg: SendRequest, creds: TelnyxCredentials) -> HttpCall:
        if not creds.api_key:
            raise ProviderConfigError("Telnyx needs an API key")
        if not (msg.from_number or creds.messaging_profile_id):
            raise ProviderConfigError("Telnyx needs a from number or a messaging profile")
        document: dict[str, Any] = {"to": msg.to, "text": msg.text}
        if msg.from_number:
            document["from"] = msg.from_number
        if creds.messaging_profile_id:
            document["messaging_profile_id"] = creds.messaging_profile_id
        if msg.media_urls:
            document["media_urls"] = list(msg.media_urls)
        if msg.status_callback_url:
            document["webhook_url"] = msg.status_callback_url
        return HttpCall(
            "POST",
            f"{creds.base_url.rstrip('/')}/v2/messages",
            {
                "Authorization": f"Bearer {creds.api_key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            json.dumps(document).encode(),
        )

    def parse_send_response(
        self, status_code: int, headers: Mapping[str, str], body: bytes
    ) -> SendResult:
        answer = json_body(body)
        answer = answer if isinstance(answer, dict) else {}
        code, description = _first_error(answer)
        transient = transient_result(status_code, headers, code, answer)
        if transient is not None:
            return transient
        if 200 <= status_code < 300:
            data = answer.get("data")
            external_id = data.get("id") if isinstance(data, dict) else None
            return SendResult(external_id=external_id or None, accepted=True, raw=answer)
        return refused_result(ERRORS, code or str(status_code), description, answer)


provider = TelnyxProvider()
