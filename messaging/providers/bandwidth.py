"""Bandwidth Messaging v2: POST /api/v2/users/{accountId}/messages, JSON-array callbacks.

Callbacks are arrays of events: `message-received` (inbound), `message-sending` (MMS
handed on), `message-delivered` and `message-failed` (with errorCode). Bandwidth signs
nothing: the callback URL is protected by HTTP Basic credentials we set on the
application, compared here in constant time. The top-level `to` of an outbound event
names the one recipient it reports on (group messages report per recipient).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .base import (
    BandwidthCredentials,
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
    WebhookRequest,
    json_body,
    refused_result,
    status_update,
    transient_result,
)

# https://dev.bandwidth.com/docs/messaging/errors
ERRORS: dict[str, ErrorMeaning] = {
    "4775": ErrorMeaning("Carrier rejected: the recipient opted out", NumberFact.OPTED_OUT),
    "4720": ErrorMeaning("Carrier rejected as invalid destination address", NumberFact.INVALID),
    "4303": ErrorMeaning("Malformed To number", NumberFact.HARD_BOUNCE),
    "4701": ErrorMeaning("Destination not reachable, SMS not available", NumberFact.SOFT_BOUNCE),
    "4702": ErrorMeaning("Destination subscriber unavailable", NumberFact.SOFT_BOUNCE),
}

STATUSES: dict[str, DeliveryStatus] = {
    "message-sending": DeliveryStatus.SENT,
    "message-delivered": DeliveryStatus.DELIVERED,
    "message-failed": DeliveryStatus.FAILED,
}
INBOUND_EVENTS = {"message-received"}


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _events(request: WebhookRequest) -> list[dict[str, Any]]:
    events = json_body(request.body)
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise PayloadError("the body is not a JSON array of events")
    for event in events:
        kind = event.get("type")
        if kind not in INBOUND_EVENTS and kind not in STATUSES:
            raise PayloadError(f"unknown type '{kind}'")
        message = event.get("message")
        if not isinstance(message, dict) or not message.get("id"):
            raise PayloadError("field 'message.id' required")
    return events


class BandwidthProvider(Provider[BandwidthCredentials]):
    name = "bandwidth"

    def verify(self, request: WebhookRequest, creds: BandwidthCredentials) -> None:
        if not (creds.callback_username and creds.callback_password):
            raise SignatureError("no callback credentials configured for this number")
        scheme, _, encoded = request.header("Authorization").partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise SignatureError("missing callback credentials")
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureError("the callback credentials are not valid base64") from exc
        expected = f"{creds.callback_username}:{creds.callback_password}".encode()
        if not hmac.compare_digest(given, expected):
            raise SignatureError("invalid callback credentials")

    def parse_inbound(self, request: WebhookRequest) -> list[InboundText]:
        texts = []
        for event in _events(request):
            if event["type"] not in INBOUND_EVENTS:
                continue
            message = event["message"]
            if not message.get("from"):
                raise PayloadError("field 'message.from' required")
            media = message.get("media") or []
            if not isinstance(media, list):
                raise PayloadError("field 'message.media' is not a list")
            owner = message.get("owner") or event.get("to") or ""
            texts.append(
                InboundText(
                    external_id=str(message["id"]),
                    from_number=str(message["from"]),
                    to_number=str(owner),
                    text=str(message.get("text") or ""),
                    media_urls=tuple(str(url) for url in media),
                    received_at=_when(message.get("time") or event.get("time")),
                )
            )
        return texts

    def parse_status(self, request: WebhookRequest) -> list[StatusUpdate]:
        updates = []
        for event in _events(request):
            status = STATUSES.get(event["type"])
            if status is None:
                continue
            message = event["message"]
            recipients = message.get("to") if isinstance(message.get("to"), list) else None
            recipients = recipients or [""]
            segments = message.get("segmentCount")
            updates.append(
                status_update(
                    table=ERRORS,
                    status=status,
                    external_id=str(message["id"]),
                    provider_status=event["type"],
                    recipient=str(event.get("to") or recipients[0]),
                    error_code=str(event.get("errorCode") or ""),
                    description=str(event.get("description") or ""),
                    segments=segments if isinstance(segments, int) else None,
                    occurred_at=_when(event.get("time")),
                )
            )
        return updates

    def build_send(self, msg: SendRequest, creds: BandwidthCredentials) -> HttpCall:
        if not (creds.account_id and creds.username and creds.password):
            raise ProviderConfigError("Bandwidth needs an account id, a username and a password")
        if not creds.application_id:
            raise ProviderConfigError("Bandwidth needs a messaging application id")
        if not msg.from_number:
            raise ProviderConfigError("Bandwidth needs a from number")
        document: dict[str, Any] = {
            "applicationId": creds.application_id,
            "to": [msg.to],
            "from": msg.from_number,
            "text": msg.text,
        }
        if msg.media_urls:
            document["media"] = list(msg.media_urls)
        if msg.tag:
            document["tag"] = msg.tag
        basic = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
        return HttpCall(
            "POST",
            f"{creds.base_url.rstrip('/')}/api/v2/users/{creds.account_id}/messages",
            {
                "Authorization": f"Basic {basic}",
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
        transient = transient_result(status_code, headers, "", answer)
        if transient is not None:
            return transient
        if 200 <= status_code < 300:
            return SendResult(external_id=answer.get("id") or None, accepted=True, raw=answer)
        code = str(answer.get("type") or status_code)
        return refused_result(ERRORS, code, str(answer.get("description") or ""), answer)


provider = BandwidthProvider()
