"""Sending numbers and provider-signed webhook requests, as the providers send them.

The payloads are the documented ones of the provider modules' own tests
(test_provider_twilio, test_provider_telnyx, test_provider_bandwidth); here they are
signed for a channel and posted to its URLs through the Django test client.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from messaging.channels import channel_create
from messaging.models import Channel
from tests.messaging.test_provider_telnyx import PRIVATE_KEY, PUBLIC_KEY

TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
BANDWIDTH_CALLBACK = ("shortcode", "s3cret-callback")


def make_channel(company, provider: str = "twilio", number: str = "+12028831111", **kwargs):
    credentials = {
        "twilio": {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN},
        "telnyx": {"api_key": "KEYtelnyx", "public_key": PUBLIC_KEY},
        "bandwidth": {
            "account_id": "9900001",
            "username": "api-user",
            "password": "api-password",
            "application_id": "93de2206-9669-4e07-948d-329f4b722ee2",
            "callback_username": BANDWIDTH_CALLBACK[0],
            "callback_password": BANDWIDTH_CALLBACK[1],
        },
        "generic": {},
    }[provider]
    kind = kwargs.pop("kind", Channel.Kind.SHORT_CODE if number.isdigit() else "long_code_10dlc")
    return channel_create(
        company=company,
        kind=kind,
        number=number,
        provider=provider,
        credentials=kwargs.pop("credentials", credentials),
        **kwargs,
    )


def url_of(channel: Channel, path: str) -> str:
    name = "messaging:channel_inbound" if path == "inbound" else "messaging:channel_status"
    return reverse(name, args=[str(channel.webhook_token)])


def twilio_post(
    client: Client,
    channel: Channel,
    path: str,
    fields: dict[str, str],
    *,
    token: str = TWILIO_TOKEN,
    signature: str | None = None,
):
    url = url_of(channel, path)
    body = urlencode(fields)
    if signature is None:
        signature = RequestValidator(token).compute_signature(
            "http://testserver" + url, dict(parse_qsl(body, keep_blank_values=True))
        )
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)


def twilio_inbound(*, sid: str, sender: str, to: str, body: str, **extra: str) -> dict[str, str]:
    """Twilio's inbound form (the documented fields, as in test_provider_twilio)."""
    fields = {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    fields.update(extra)
    return fields


def twilio_status(*, sid: str, status: str, to: str, error_code: str = "") -> dict[str, str]:
    fields = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": TWILIO_SID,
        "MessageStatus": status,
        "To": to,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        fields["ErrorCode"] = error_code
    return fields


def telnyx_post(client: Client, channel: Channel, path: str, document: Any, *, key=PRIVATE_KEY):
    raw = json.dumps(document).encode()
    timestamp = str(int(time.time()))
    signature = base64.b64encode(key.sign(timestamp.encode() + b"|" + raw)).decode()
    return client.post(
        url_of(channel, path),
        raw,
        content_type="application/json",
        headers={"telnyx-signature-ed25519": signature, "telnyx-timestamp": timestamp},
    )


def bandwidth_post(
    client: Client, channel: Channel, path: str, events: list, *, auth=BANDWIDTH_CALLBACK
):
    headers = {}
    if auth is not None:
        pair = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    return client.post(
        url_of(channel, path), json.dumps(events), content_type="application/json", headers=headers
    )
