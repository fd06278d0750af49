"""Bandwidth: raw v2 callback arrays and API answers -> our terms; sends against a local fake."""

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from messaging.providers import bandwidth
from messaging.providers.base import (
    BandwidthCredentials,
    DeliveryStatus,
    InboundText,
    NumberFact,
    PayloadError,
    ProviderConfigError,
    SendRequest,
    SignatureError,
    WebhookRequest,
    send,
)
from tests.fakes.providers import FakeConfig, serve

CREDS = BandwidthCredentials(
    account_id="9900001",
    username="bw-user",
    password="bw-password",
    application_id="93de2206-9669-4e07-948d-329f4b722ee2",
    callback_username="shortcode",
    callback_password="s3cret-callback",
)
URL = "https://sms.example.org/messaging/bandwidth/"
MEDIA = "https://messaging.bandwidth.com/api/v2/users/9900001/media/14762070468292kw2fuqty55yp2b2/0/bw.png"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


AUTH = {"Authorization": _basic("shortcode", "s3cret-callback")}

# Shapes from Bandwidth's v2 messaging callback docs and RapidPro courier's bandwidth tests.
RECEIVED_MMS: dict[str, Any] = {
    "type": "message-received",
    "time": "2016-09-14T18:20:16Z",
    "description": "Incoming message received",
    "to": "+12345678902",
    "message": {
        "id": "14762070468292kw2fuqty55yp2b2",
        "time": "2016-09-14T18:20:16Z",
        "to": ["+12345678902"],
        "from": "+12065551234",
        "text": "hello world",
        "applicationId": "93de2206-9669-4e07-948d-329f4b722ee2",
        "media": [MEDIA],
        "owner": "+12345678902",
        "direction": "in",
        "segmentCount": 1,
    },
}
RECEIVED_TEXT = {
    **RECEIVED_MMS,
    "message": {**RECEIVED_MMS["message"], "id": "14762070468292kw2fuqty55yp2b3", "media": []},
}
RECEIVED_TEXT["message"].pop("media")


def _outbound(kind: str, error_code: int | None = None, description: str = "ok") -> dict:
    event: dict[str, Any] = {
        "type": kind,
        "time": "2020-06-25T18:42:36.979Z",
        "description": description,
        "to": "+15554443333",
        "message": {
            "id": "1589228074636lm4k2je7j7jklbn2",
            "owner": "+15552221111",
            "applicationId": "cfd4fb83-7531-4acc-b471-42d0bb76a65c",
            "time": "2020-06-25T18:42:35.876Z",
            "segmentCount": 1,
            "direction": "out",
            "to": ["+15554443333"],
            "from": "+15552221111",
            "text": "",
            "tag": "message-7",
        },
    }
    if error_code is not None:
        event["errorCode"] = error_code
    return event


def _request(events, headers=AUTH) -> WebhookRequest:
    return WebhookRequest(url=URL, body=json.dumps(events).encode(), headers=headers)


INBOUND_CASES = [
    pytest.param(
        [RECEIVED_TEXT],
        [
            InboundText(
                "14762070468292kw2fuqty55yp2b3",
                "+12065551234",
                "+12345678902",
                "hello world",
                received_at=datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
            )
        ],
        id="text",
    ),
    pytest.param(
        [RECEIVED_MMS],
        [
            InboundText(
                "14762070468292kw2fuqty55yp2b2",
                "+12065551234",
                "+12345678902",
                "hello world",
                media_urls=(MEDIA,),
                received_at=datetime(2016, 9, 14, 18, 20, 16, tzinfo=UTC),
            )
        ],
        id="mms",
    ),
    pytest.param([], [], id="empty-array"),
    pytest.param([_outbound("message-delivered")], [], id="receipt-only"),
]


@pytest.mark.parametrize(("events", "expected"), INBOUND_CASES)
def test_a_message_received_callback_becomes_inbound_texts(events, expected):
    request = _request(events)
    bandwidth.verify(request, CREDS)
    assert bandwidth.parse_inbound(request) == expected


def test_the_same_callback_delivered_twice_gives_the_same_external_id():
    first = bandwidth.parse_inbound(_request([RECEIVED_MMS]))
    assert first == bandwidth.parse_inbound(_request([RECEIVED_MMS]))
    assert first[0].external_id == "14762070468292kw2fuqty55yp2b2"


STATUS_CASES = [
    # (type, errorCode, status, permanent, code, fact)
    ("message-sending", None, DeliveryStatus.SENT, False, "", None),
    ("message-delivered", None, DeliveryStatus.DELIVERED, False, "", None),
    ("message-failed", 4775, DeliveryStatus.FAILED, True, "4775", NumberFact.OPTED_OUT),
    ("message-failed", 4720, DeliveryStatus.FAILED, True, "4720", NumberFact.INVALID),
    ("message-failed", 4303, DeliveryStatus.FAILED, True, "4303", NumberFact.HARD_BOUNCE),
    ("message-failed", 4701, DeliveryStatus.FAILED, True, "4701", NumberFact.SOFT_BOUNCE),
    ("message-failed", 4702, DeliveryStatus.FAILED, True, "4702", NumberFact.SOFT_BOUNCE),
    ("message-failed", 4432, DeliveryStatus.FAILED, True, "4432", None),
]


@pytest.mark.parametrize(("kind", "error", "status", "permanent", "code", "fact"), STATUS_CASES)
def test_a_status_callback_becomes_a_receipt_in_our_terms(
    kind, error, status, permanent, code, fact
):
    request = _request([_outbound(kind, error)])
    bandwidth.verify(request, CREDS)
    [update] = bandwidth.parse_status(request)
    assert (update.external_id, update.recipient, update.provider_status) == (
        "1589228074636lm4k2je7j7jklbn2",
        "+15554443333",
        kind,
    )
    assert (update.status, update.permanent, update.error_code) == (status, permanent, code)
    assert (update.number_fact, update.retryable, update.segments) == (fact, False, 1)
    assert update.occurred_at == datetime(2020, 6, 25, 18, 42, 36, 979000, tzinfo=UTC)


def test_a_failed_callback_keeps_bandwidths_description():
    [update] = bandwidth.parse_status(
        _request([_outbound("message-failed", 4432, "forbidden to country")])
    )
    assert update.description == "forbidden to country"


def test_every_event_of_an_array_is_read_in_order():
    events = [_outbound("message-delivered"), RECEIVED_TEXT, _outbound("message-failed", 4775)]
    request = _request(events)
    assert [u.status for u in bandwidth.parse_status(request)] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
    ]
    assert [t.external_id for t in bandwidth.parse_inbound(request)] == [
        "14762070468292kw2fuqty55yp2b3"
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{}", "not a JSON array"),
        (b"nonsense", "not a JSON array"),
        (json.dumps([{"type": "message-lost", "message": {"id": "1"}}]).encode(), "unknown type"),
        (json.dumps([{"type": "message-delivered", "message": {}}]).encode(), "message.id"),
    ],
)
def test_a_body_outside_the_documented_shapes_is_refused(body, reason):
    with pytest.raises(PayloadError, match=reason):
        bandwidth.parse_status(WebhookRequest(URL, body, AUTH))


def test_a_received_event_whose_media_is_not_a_list_is_refused():
    event = {**RECEIVED_MMS, "message": {**RECEIVED_MMS["message"], "media": MEDIA}}
    with pytest.raises(PayloadError, match="media' is not a list"):
        bandwidth.parse_inbound(_request([event]))


@pytest.mark.parametrize(
    ("headers", "creds", "reason"),
    [
        pytest.param({}, CREDS, "missing", id="missing"),
        pytest.param({"Authorization": "Bearer abc"}, CREDS, "missing", id="not-basic"),
        pytest.param(
            {"Authorization": _basic("shortcode", "guess")}, CREDS, "invalid", id="wrong-password"
        ),
        pytest.param(
            {"Authorization": _basic("someone", "s3cret-callback")},
            CREDS,
            "invalid",
            id="wrong-user",
        ),
        pytest.param({"Authorization": "Basic %%%"}, CREDS, "base64", id="not-base64"),
        pytest.param(
            AUTH,
            BandwidthCredentials("9900001", "bw-user", "bw-password", "app"),
            "no callback credentials",
            id="number-without-callback-credentials",
        ),
    ],
)
def test_bad_or_missing_callback_credentials_are_refused(headers, creds, reason):
    with pytest.raises(SignatureError, match=reason):
        bandwidth.verify(_request([RECEIVED_TEXT], headers), creds)


@pytest.fixture
def fake():
    with serve(FakeConfig(bandwidth_errors={"+15554449999": "request-validation"})) as f:
        yield f


def _creds(fake) -> BandwidthCredentials:
    return BandwidthCredentials(
        account_id=fake.config.bandwidth_account_id,
        username=fake.config.bandwidth_username,
        password=fake.config.bandwidth_password,
        application_id="93de2206-9669-4e07-948d-329f4b722ee2",
        base_url=fake.base_url,
    )


def test_a_send_posts_the_documented_json_with_basic_credentials(fake):
    msg = SendRequest(
        to="+15554443333",
        text="Rally at 6",
        from_number="+15552221111",
        media_urls=("https://cdn.example.org/a.jpg",),
        tag="message-7",
    )
    with httpx.Client() as client:
        result = send(client, bandwidth, msg, _creds(fake))
    [seen] = fake.requests
    assert seen.path == "/api/v2/users/9900001/messages"
    assert seen.headers["Authorization"] == _basic("bw-user", "bw-password")
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.json() == {
        "applicationId": "93de2206-9669-4e07-948d-329f4b722ee2",
        "to": ["+15554443333"],
        "from": "+15552221111",
        "text": "Rally at 6",
        "media": ["https://cdn.example.org/a.jpg"],
        "tag": "message-7",
    }
    assert result.accepted and result.external_id == fake.accepted["bandwidth"][0]


def test_a_send_without_a_from_number_is_refused_before_any_request():
    with pytest.raises(ProviderConfigError, match="from number"):
        bandwidth.build_send(SendRequest(to="+15554443333", text="Hi"), CREDS)


def test_a_send_the_api_refuses_is_not_retried(fake):
    msg = SendRequest(to="+15554449999", text="Hi", from_number="+15552221111")
    with httpx.Client() as client:
        result = send(client, bandwidth, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.error_code) == (
        False,
        False,
        "request-validation",
    )
    assert fake.accepted["bandwidth"] == []


def test_a_throttled_send_is_retryable_after_the_retry_after_delay():
    with serve(FakeConfig(rate_limit=0, retry_after=2)) as fake, httpx.Client() as client:
        msg = SendRequest(to="+15554443333", text="Hi", from_number="+15552221111")
        result = send(client, bandwidth, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.retry_after) == (False, True, 2.0)
    assert result.number_fact is None


def test_the_fake_answers_429_above_its_cap_and_again_accepts_a_second_later():
    now = [100.0]
    config = FakeConfig(rate_limit=2, clock=lambda: now[0])
    msg = SendRequest(to="+15554443333", text="Hi", from_number="+15552221111")
    with serve(config) as fake, httpx.Client() as client:
        first = [send(client, bandwidth, msg, _creds(fake)) for _ in range(3)]
        now[0] += 1.0
        later = send(client, bandwidth, msg, _creds(fake))
    assert [r.accepted for r in first] == [True, True, False]
    assert first[2].retryable and later.accepted
    assert len(fake.accepted["bandwidth"]) == 3 and fake.throttled == 1


def test_a_send_with_wrong_credentials_is_refused_and_not_retried(fake):
    creds = BandwidthCredentials("9900001", "bw-user", "wrong", "app", base_url=fake.base_url)
    msg = SendRequest(to="+15554443333", text="Hi", from_number="+15552221111")
    with httpx.Client() as client:
        result = send(client, bandwidth, msg, creds)
    assert (result.accepted, result.retryable, result.error_code) == (False, False, "unauthorized")
