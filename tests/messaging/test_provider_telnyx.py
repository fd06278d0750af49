"""Telnyx: raw v2 webhook documents and API answers -> our terms; sends against a local fake."""

import base64
import copy
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from messaging.providers import telnyx
from messaging.providers.base import (
    DeliveryStatus,
    InboundText,
    NumberFact,
    PayloadError,
    ProviderConfigError,
    SendRequest,
    SignatureError,
    TelnyxCredentials,
    WebhookRequest,
    send,
)
from tests.fakes.providers import FakeConfig, serve

PRIVATE_KEY = Ed25519PrivateKey.generate()
PUBLIC_KEY = base64.b64encode(
    PRIVATE_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
CREDS = TelnyxCredentials(api_key="KEYtelnyx", public_key=PUBLIC_KEY)
URL = "https://sms.example.org/messaging/telnyx/"
NOW = 1_700_000_000
MESSAGE_ID = "7ee4241c-f127-47e5-9c34-3aac291f8058"
OUTBOUND_ID = "40385f64-5717-4562-b3fc-2c963f66afa6"

# Shapes from Telnyx's "Receiving Webhooks for Messaging" and callback reference pages.
RECEIVED: dict[str, Any] = {
    "data": {
        "record_type": "event",
        "id": "bf6307bd-884d-4c1f-b6ea-c62b8c495d3c",
        "event_type": "message.received",
        "occurred_at": "2019-01-23T18:10:02.574Z",
        "payload": {
            "record_type": "message",
            "direction": "inbound",
            "id": MESSAGE_ID,
            "type": "SMS",
            "messaging_profile_id": "0f512bda-ae1e-4597-8e11-e5f5686b97d3",
            "from": {
                "phone_number": "+18665550001",
                "carrier": "T-MOBILE USA, INC.",
                "line_type": "Wireless",
            },
            "to": [
                {
                    "phone_number": "+18445550001",
                    "status": "webhook_delivered",
                    "carrier": "TELNYX LLC",
                    "line_type": "VoIP",
                }
            ],
            "cc": [],
            "text": "Hello, World!",
            "media": [],
            "encoding": "GSM-7",
            "parts": 1,
            "received_at": "2019-01-23T18:10:02.467Z",
        },
    },
    "meta": {"attempt": 1, "delivered_to": "https://sms.example.org/messaging/telnyx/"},
}
MEDIA_URL = "https://media.telnyx.com/mms/7ee4241c/image.jpg"
RECEIVED_MMS = copy.deepcopy(RECEIVED)
RECEIVED_MMS["data"]["payload"].update(
    type="MMS",
    text="",
    media=[
        {"url": MEDIA_URL, "content_type": "image/jpeg", "sha256": None, "size": 30720},
        {"url": MEDIA_URL.replace("jpg", "png"), "content_type": "image/png", "size": 100},
    ],
)

OUTBOUND = {
    "data": {
        "record_type": "event",
        "id": "86f58db9-0fe3-4adc-9d1f-46e66e6e9323",
        "event_type": "message.sent",
        "occurred_at": "2019-01-23T18:10:02.574Z",
        "payload": {
            "record_type": "message",
            "direction": "outbound",
            "id": OUTBOUND_ID,
            "type": "SMS",
            "messaging_profile_id": "4000eba1-a0c0-4563-9925-b25e842a7cb6",
            "from": {"phone_number": "+18445550001", "carrier": "TELNYX LLC", "line_type": "VoIP"},
            "to": [
                {
                    "phone_number": "+18665550001",
                    "status": "sent",
                    "carrier": "T-MOBILE USA, INC.",
                    "line_type": "Wireless",
                }
            ],
            "text": "Hello, World!",
            "media": [],
            "parts": 1,
            "errors": [],
            "completed_at": None,
        },
    },
    "meta": {"attempt": 1, "delivered_to": "https://sms.example.org/messaging/telnyx/"},
}


def _outbound(event_type="message.finalized", statuses=("delivered",), errors=()):
    document = copy.deepcopy(OUTBOUND)
    payload = document["data"]["payload"]
    document["data"]["event_type"] = event_type
    recipients = [f"+1866555000{i + 1}" for i in range(len(statuses))]
    payload["to"] = [
        {"phone_number": number, "status": status, "carrier": "", "line_type": "Wireless"}
        for number, status in zip(recipients, statuses, strict=True)
    ]
    payload["errors"] = [{"code": code, "title": f"title {code}", "detail": ""} for code in errors]
    if event_type == "message.finalized":
        payload["completed_at"] = "2019-12-09T21:32:14.148+00:00"
    return document


def _signed(document, timestamp=NOW, key=PRIVATE_KEY, body=None) -> WebhookRequest:
    raw = body if body is not None else json.dumps(document).encode()
    signature = key.sign(str(timestamp).encode() + b"|" + raw)
    return WebhookRequest(
        url=URL,
        body=raw,
        headers={
            "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
            "telnyx-timestamp": str(timestamp),
        },
    )


INBOUND_CASES = [
    pytest.param(
        RECEIVED,
        InboundText(
            MESSAGE_ID,
            "+18665550001",
            "+18445550001",
            "Hello, World!",
            received_at=datetime(2019, 1, 23, 18, 10, 2, 467000, tzinfo=UTC),
        ),
        id="text",
    ),
    pytest.param(
        RECEIVED_MMS,
        InboundText(
            MESSAGE_ID,
            "+18665550001",
            "+18445550001",
            "",
            media_urls=(MEDIA_URL, MEDIA_URL.replace("jpg", "png")),
            received_at=datetime(2019, 1, 23, 18, 10, 2, 467000, tzinfo=UTC),
        ),
        id="mms",
    ),
]


@pytest.mark.parametrize(("document", "expected"), INBOUND_CASES)
def test_a_message_received_event_becomes_one_inbound_text(document, expected):
    request = _signed(document)
    telnyx.verify(request, CREDS, now=NOW)
    assert telnyx.parse_inbound(request) == [expected]
    assert telnyx.parse_status(request) == []


def test_the_same_event_delivered_twice_gives_the_same_external_id():
    request = _signed(RECEIVED)
    telnyx.verify(request, CREDS, now=NOW)
    telnyx.verify(request, CREDS, now=NOW + 60)
    assert telnyx.parse_inbound(request) == telnyx.parse_inbound(_signed(RECEIVED))


STATUS_CASES = [
    # (event, recipient status, errors, status, permanent, code, fact, retryable)
    ("message.sent", "queued", (), DeliveryStatus.QUEUED, False, "", None, False),
    ("message.sent", "sending", (), DeliveryStatus.SENT, False, "", None, False),
    ("message.sent", "sent", (), DeliveryStatus.SENT, False, "", None, False),
    ("message.finalized", "delivered", (), DeliveryStatus.DELIVERED, False, "", None, False),
    ("message.finalized", "delivery_unconfirmed", (), DeliveryStatus.SENT, False, "", None, False),
    ("message.finalized", "expired", (), DeliveryStatus.FAILED, True, "", None, False),
    (
        "message.finalized",
        "delivery_failed",
        ("40300",),
        DeliveryStatus.FAILED,
        True,
        "40300",
        NumberFact.OPTED_OUT,
        False,
    ),
    (
        "message.finalized",
        "delivery_failed",
        ("40001",),
        DeliveryStatus.FAILED,
        True,
        "40001",
        NumberFact.INVALID,
        False,
    ),
    (
        "message.finalized",
        "delivery_failed",
        ("40012",),
        DeliveryStatus.FAILED,
        True,
        "40012",
        NumberFact.HARD_BOUNCE,
        False,
    ),
    (
        "message.finalized",
        "delivery_failed",
        ("40006",),
        DeliveryStatus.FAILED,
        True,
        "40006",
        NumberFact.SOFT_BOUNCE,
        False,
    ),
    (
        "message.finalized",
        "expired",
        ("40005",),
        DeliveryStatus.FAILED,
        True,
        "40005",
        NumberFact.SOFT_BOUNCE,
        False,
    ),
    (
        "message.finalized",
        "sending_failed",
        ("40011",),
        DeliveryStatus.FAILED,
        False,
        "40011",
        None,
        True,
    ),
    (
        "message.finalized",
        "delivery_failed",
        ("40008",),
        DeliveryStatus.FAILED,
        True,
        "40008",
        None,
        False,
    ),
]


@pytest.mark.parametrize(
    ("event", "to_status", "errors", "status", "permanent", "code", "fact", "retryable"),
    STATUS_CASES,
)
def test_an_outbound_event_becomes_a_receipt_in_our_terms(
    event, to_status, errors, status, permanent, code, fact, retryable
):
    request = _signed(_outbound(event, (to_status,), errors))
    telnyx.verify(request, CREDS, now=NOW)
    [update] = telnyx.parse_status(request)
    assert (update.external_id, update.recipient, update.provider_status) == (
        OUTBOUND_ID,
        "+18665550001",
        to_status,
    )
    assert (update.status, update.permanent, update.error_code) == (status, permanent, code)
    assert (update.number_fact, update.retryable, update.segments) == (fact, retryable, 1)
    assert telnyx.parse_inbound(request) == []


def test_each_recipient_of_a_finalized_message_gets_its_own_receipt():
    document = _outbound(statuses=("delivered", "delivery_failed"), errors=("40001",))
    updates = telnyx.parse_status(_signed(document))
    assert [(u.recipient, u.status, u.number_fact) for u in updates] == [
        ("+18665550001", DeliveryStatus.DELIVERED, None),
        ("+18665550002", DeliveryStatus.FAILED, NumberFact.INVALID),
    ]
    assert updates[0].occurred_at == datetime(2019, 12, 9, 21, 32, 14, 148000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "no data.payload"),
        (b"[]", "no data.payload"),
        (
            json.dumps({"data": {"event_type": "call.initiated", "payload": {"id": "x"}}}).encode(),
            "unknown event_type 'call.initiated'",
        ),
        (json.dumps(_outbound(statuses=("lost",))).encode(), "unknown status 'lost'"),
    ],
)
def test_a_document_outside_the_documented_shapes_is_refused(body, reason):
    with pytest.raises(PayloadError, match=reason):
        telnyx.parse_status(_signed(None, body=body))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"to": ["+18445550001"]}, "not a list of recipients"),
        ({"to": {"phone_number": "+18445550001"}}, "not a list of recipients"),
        ({"media": "https://media.telnyx.com/x.jpg"}, "media' is not a list"),
    ],
)
def test_a_received_event_with_malformed_parts_is_refused(change, reason):
    document = copy.deepcopy(RECEIVED)
    document["data"]["payload"].update(change)
    with pytest.raises(PayloadError, match=reason):
        telnyx.parse_inbound(_signed(document))


def test_a_number_without_a_public_key_refuses_every_webhook():
    with pytest.raises(SignatureError, match="no public key"):
        telnyx.verify(_signed(RECEIVED), TelnyxCredentials("KEY", ""), now=NOW)


def test_a_received_event_without_a_sender_is_refused():
    document = copy.deepcopy(RECEIVED)
    document["data"]["payload"]["from"] = {}
    with pytest.raises(PayloadError, match="from.phone_number"):
        telnyx.parse_inbound(_signed(document))


def _without(request: WebhookRequest, header: str) -> WebhookRequest:
    headers = {k: v for k, v in request.headers.items() if k != header}
    return WebhookRequest(url=request.url, body=request.body, headers=headers)


@pytest.mark.parametrize(
    ("request_", "now", "reason"),
    [
        pytest.param(WebhookRequest(URL, b"{}"), NOW, "missing", id="no-headers"),
        pytest.param(
            _without(_signed(RECEIVED), "telnyx-signature-ed25519"), NOW, "missing", id="no-sig"
        ),
        pytest.param(_without(_signed(RECEIVED), "telnyx-timestamp"), NOW, "missing", id="no-ts"),
        pytest.param(
            _signed(RECEIVED, key=Ed25519PrivateKey.generate()), NOW, "invalid", id="other-key"
        ),
        pytest.param(
            WebhookRequest(URL, json.dumps(RECEIVED_MMS).encode(), _signed(RECEIVED).headers),
            NOW,
            "invalid",
            id="body-changed",
        ),
        pytest.param(
            WebhookRequest(
                URL,
                _signed(RECEIVED).body,
                {**_signed(RECEIVED).headers, "telnyx-timestamp": str(NOW + 1)},
            ),
            NOW,
            "invalid",
            id="timestamp-changed",
        ),
        pytest.param(
            WebhookRequest(
                URL,
                _signed(RECEIVED).body,
                {**_signed(RECEIVED).headers, "telnyx-signature-ed25519": "%%%"},
            ),
            NOW,
            "base64",
            id="signature-not-base64",
        ),
        pytest.param(_signed(RECEIVED), NOW + 301, "five minutes", id="stale-replay"),
        pytest.param(_signed(RECEIVED), NOW - 301, "five minutes", id="from-the-future"),
        pytest.param(_signed(RECEIVED, timestamp="soon"), NOW, "not a number", id="ts-not-int"),
    ],
)
def test_a_bad_missing_or_stale_signature_is_refused(request_, now, reason):
    with pytest.raises(SignatureError, match=reason):
        telnyx.verify(request_, CREDS, now=now)


def test_a_signature_just_inside_five_minutes_is_accepted():
    telnyx.verify(_signed(RECEIVED), CREDS, now=NOW + 300)


def test_header_names_are_matched_whatever_their_case():
    request = _signed(RECEIVED)
    shouted = {k.title(): v for k, v in request.headers.items()}
    telnyx.verify(WebhookRequest(URL, request.body, shouted), CREDS, now=NOW)


@pytest.fixture
def fake():
    with serve(FakeConfig(telnyx_errors={"+18665550009": "40300", "+18665550010": "40001"})) as f:
        yield f


def _creds(fake, **changes) -> TelnyxCredentials:
    return TelnyxCredentials(
        api_key=fake.config.telnyx_api_key,
        public_key=PUBLIC_KEY,
        base_url=fake.base_url,
        **changes,
    )


def test_a_send_posts_the_documented_json_with_a_bearer_key(fake):
    msg = SendRequest(
        to="+18665550001",
        text="Rally at 6",
        from_number="+18445550001",
        media_urls=("https://cdn.example.org/a.jpg",),
        status_callback_url="https://sms.example.org/messaging/telnyx/?id=7",
    )
    creds = _creds(fake, messaging_profile_id="4000eba1-a0c0-4563-9925-b25e842a7cb6")
    with httpx.Client() as client:
        result = send(client, telnyx, msg, creds)
    [seen] = fake.requests
    assert seen.path == "/v2/messages"
    assert seen.headers["Authorization"] == "Bearer KEYtelnyx"
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.json() == {
        "from": "+18445550001",
        "to": "+18665550001",
        "text": "Rally at 6",
        "media_urls": ["https://cdn.example.org/a.jpg"],
        "webhook_url": "https://sms.example.org/messaging/telnyx/?id=7",
        "messaging_profile_id": "4000eba1-a0c0-4563-9925-b25e842a7cb6",
    }
    assert result.accepted and result.external_id == fake.accepted["telnyx"][0]


def test_a_send_from_a_messaging_profile_needs_no_from_number(fake):
    creds = _creds(fake, messaging_profile_id="4000eba1-a0c0-4563-9925-b25e842a7cb6")
    with httpx.Client() as client:
        result = send(client, telnyx, SendRequest(to="+18665550001", text="Hi"), creds)
    assert fake.requests[0].json() == {
        "to": "+18665550001",
        "text": "Hi",
        "messaging_profile_id": "4000eba1-a0c0-4563-9925-b25e842a7cb6",
    }
    assert result.accepted


def test_a_send_with_neither_from_nor_profile_is_refused_before_any_request():
    with pytest.raises(ProviderConfigError, match="from number or a messaging profile"):
        telnyx.build_send(SendRequest(to="+18665550001", text="Hi"), CREDS)


@pytest.mark.parametrize(
    ("to", "code", "fact"),
    [
        ("+18665550009", "40300", NumberFact.OPTED_OUT),
        ("+18665550010", "40001", NumberFact.INVALID),
    ],
)
def test_a_refused_send_turns_the_error_code_into_a_fact_about_the_number(fake, to, code, fact):
    msg = SendRequest(to=to, text="Hi", from_number="+18445550001")
    with httpx.Client() as client:
        result = send(client, telnyx, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.error_code, result.number_fact) == (
        False,
        False,
        code,
        fact,
    )
    assert fake.accepted["telnyx"] == []


def test_a_throttled_send_is_retryable_after_the_retry_after_delay():
    with serve(FakeConfig(rate_limit=0, retry_after=3)) as fake, httpx.Client() as client:
        msg = SendRequest(to="+18665550001", text="Hi", from_number="+18445550001")
        result = send(client, telnyx, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.retry_after) == (False, True, 3.0)
    assert result.error_code == "10011" and result.number_fact is None


def test_a_send_with_a_wrong_key_is_refused_and_not_retried(fake):
    msg = SendRequest(to="+18665550001", text="Hi", from_number="+18445550001")
    creds = TelnyxCredentials("wrong", PUBLIC_KEY, base_url=fake.base_url)
    with httpx.Client() as client:
        result = send(client, telnyx, msg, creds)
    assert (result.accepted, result.retryable, result.error_code) == (False, False, "10009")


@pytest.mark.parametrize(
    ("status", "body", "retryable", "code"),
    [
        (500, b"", True, "500"),
        (422, b'{"errors": [{"code": "40011", "title": "Too many requests"}]}', True, "40011"),
        (400, b'{"errors": [{"code": "10002", "title": "Invalid phone number"}]}', False, "10002"),
    ],
)
def test_provider_answers_decide_whether_a_send_is_retried(status, body, retryable, code):
    result = telnyx.parse_send_response(status, {}, body)
    assert (result.accepted, result.retryable, result.error_code) == (False, retryable, code)
