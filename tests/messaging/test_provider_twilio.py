"""Twilio: raw webhook forms and API answers -> our terms; sends against a local fake."""

import base64
import hashlib
import hmac
import socket
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from messaging.providers import twilio
from messaging.providers.base import (
    DeliveryStatus,
    InboundText,
    NumberFact,
    PayloadError,
    ProviderConfigError,
    SendRequest,
    SignatureError,
    TwilioCredentials,
    WebhookRequest,
    send,
    webhook_request_from_django,
)
from messaging.providers.twilio import _form_body
from tests.fakes.providers import FakeConfig, serve

TOKEN = "6789"
CREDS = TwilioCredentials(account_sid="AC00000000000000000000000000000001", auth_token=TOKEN)
URL = "https://sms.example.org/messaging/twilio/receive/"
SID = "SMe287d7109a5a925f182f0e07fe5b223b"

# Shapes from Twilio's messaging webhook docs and RapidPro courier's twiml tests.
RECEIVE_TEXT = (
    "ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b"
    "&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA"
    "&SmsStatus=received&FromCity=CHICOPEE&Body=Msg&FromCountry=US&To=%2B12028831111&ToZip="
    "&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid"
    "&From=%2B14133881111&ApiVersion=2010-04-01"
)
MEDIA_0 = "https://api.twilio.com/2010-04-01/Accounts/acctid/Messages/MM1/Media/ME0"
MEDIA_1 = "https://api.twilio.com/2010-04-01/Accounts/acctid/Messages/MM1/Media/ME1"


def _receive(**changes: str) -> str:
    fields = dict(parse_qsl(RECEIVE_TEXT, keep_blank_values=True))
    fields.update(changes)
    return urlencode({k: v for k, v in fields.items() if v is not None})


def _status(**fields: str) -> str:
    base = {
        "MessageSid": SID,
        "SmsSid": SID,
        "AccountSid": "acctid",
        "From": "+12028831111",
        "To": "+14133881111",
        "ApiVersion": "2010-04-01",
    }
    return urlencode({**base, **fields})


def _signed(body: str, url: str = URL, token: str = TOKEN) -> WebhookRequest:
    signature = RequestValidator(token).compute_signature(
        url, dict(parse_qsl(body, keep_blank_values=True))
    )
    return WebhookRequest(url=url, body=body.encode(), headers={"X-Twilio-Signature": signature})


INBOUND_CASES = [
    pytest.param(
        RECEIVE_TEXT,
        InboundText(SID, "+14133881111", "+12028831111", "Msg"),
        id="text",
    ),
    pytest.param(
        _receive(
            NumMedia="2", MediaUrl0=MEDIA_0, MediaContentType0="image/jpeg", MediaUrl1=MEDIA_1
        ),
        InboundText(SID, "+14133881111", "+12028831111", "Msg", media_urls=(MEDIA_0, MEDIA_1)),
        id="mms-with-text",
    ),
    pytest.param(
        _receive(NumMedia="1", Body="", MediaUrl0=MEDIA_0),
        InboundText(SID, "+14133881111", "+12028831111", "", media_urls=(MEDIA_0,)),
        id="mms-without-text",
    ),
    pytest.param(
        _receive(Body="STOP", OptOutType="STOP"),
        InboundText(SID, "+14133881111", "+12028831111", "STOP", provider_opt_out="STOP"),
        id="opt-out-answered-by-twilio",
    ),
    pytest.param(
        _receive(Body="start", OptOutType="START"),
        InboundText(SID, "+14133881111", "+12028831111", "start", provider_opt_out="START"),
        id="opt-in-answered-by-twilio",
    ),
    pytest.param(
        _receive(Body="Help", OptOutType="HELP"),
        InboundText(SID, "+14133881111", "+12028831111", "Help", provider_opt_out="HELP"),
        id="help-answered-by-twilio",
    ),
]


@pytest.mark.parametrize(("body", "expected"), INBOUND_CASES)
def test_an_inbound_form_becomes_one_inbound_text(body, expected):
    request = _signed(body)
    twilio.verify(request, CREDS)
    assert twilio.parse_inbound(request) == [expected]


def test_the_same_inbound_form_twice_gives_the_same_external_id():
    first = twilio.parse_inbound(_signed(RECEIVE_TEXT))
    replay = twilio.parse_inbound(_signed(RECEIVE_TEXT))
    assert first == replay and first[0].external_id == SID


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_receive(MessageSid=""), "field 'MessageSid' required"),
        (_receive(From=""), "field 'From' required"),
        (_receive(NumMedia="two"), "field 'NumMedia' is not a number"),
        (_receive(OptOutType="MAYBE"), "unknown OptOutType 'MAYBE'"),
    ],
)
def test_an_inbound_form_without_its_fields_is_refused(body, reason):
    with pytest.raises(PayloadError, match=reason):
        twilio.parse_inbound(_signed(body))


STATUS_CASES = [
    # (form fields, status, permanent, error code, number fact, retryable)
    ({"MessageStatus": "accepted"}, DeliveryStatus.QUEUED, False, "", None, False),
    ({"MessageStatus": "queued"}, DeliveryStatus.QUEUED, False, "", None, False),
    ({"MessageStatus": "sending"}, DeliveryStatus.SENT, False, "", None, False),
    ({"MessageStatus": "sent"}, DeliveryStatus.SENT, False, "", None, False),
    ({"MessageStatus": "delivered"}, DeliveryStatus.DELIVERED, False, "", None, False),
    ({"MessageStatus": "read"}, DeliveryStatus.DELIVERED, False, "", None, False),
    ({"MessageStatus": "failed"}, DeliveryStatus.FAILED, True, "", None, False),
    (
        {"MessageStatus": "failed", "ErrorCode": "21610"},
        DeliveryStatus.FAILED,
        True,
        "21610",
        NumberFact.OPTED_OUT,
        False,
    ),
    (
        {"MessageStatus": "failed", "ErrorCode": "21614"},
        DeliveryStatus.FAILED,
        True,
        "21614",
        NumberFact.INVALID,
        False,
    ),
    (
        {"MessageStatus": "undelivered", "ErrorCode": "30006"},
        DeliveryStatus.FAILED,
        True,
        "30006",
        NumberFact.INVALID,
        False,
    ),
    (
        {"MessageStatus": "undelivered", "ErrorCode": "30005"},
        DeliveryStatus.FAILED,
        True,
        "30005",
        NumberFact.HARD_BOUNCE,
        False,
    ),
    (
        {"MessageStatus": "failed", "ErrorCode": "21211"},
        DeliveryStatus.FAILED,
        True,
        "21211",
        NumberFact.HARD_BOUNCE,
        False,
    ),
    (
        {"MessageStatus": "undelivered", "ErrorCode": "30003"},
        DeliveryStatus.FAILED,
        True,
        "30003",
        NumberFact.SOFT_BOUNCE,
        False,
    ),
    (
        {"MessageStatus": "undelivered", "ErrorCode": "30007"},
        DeliveryStatus.FAILED,
        True,
        "30007",
        None,
        False,
    ),
    *[
        (
            {"MessageStatus": "failed", "ErrorCode": code},
            DeliveryStatus.FAILED,
            False,
            code,
            None,
            True,
        )
        for code in ("20429", "30022", "30023", "30024", "30025", "30026", "30027", "63018")
    ],
]


@pytest.mark.parametrize(
    ("fields", "status", "permanent", "code", "fact", "retryable"), STATUS_CASES
)
def test_a_status_callback_becomes_a_receipt_in_our_terms(
    fields, status, permanent, code, fact, retryable
):
    request = _signed(_status(**fields))
    twilio.verify(request, CREDS)
    [update] = twilio.parse_status(request)
    assert (update.external_id, update.recipient, update.provider_status) == (
        SID,
        "+14133881111",
        fields["MessageStatus"],
    )
    assert (update.status, update.permanent, update.error_code) == (status, permanent, code)
    assert (update.number_fact, update.retryable) == (fact, retryable)


def test_a_status_callback_with_an_unknown_status_is_refused():
    with pytest.raises(PayloadError, match="unknown status 'huh'"):
        twilio.parse_status(_signed(_status(MessageStatus="huh")))


def test_a_status_callback_without_a_status_is_refused():
    with pytest.raises(PayloadError, match="field 'MessageStatus' required"):
        twilio.parse_status(_signed(urlencode({"MessageSid": SID})))


def test_the_signature_matches_twilios_documented_algorithm():
    # HMAC-SHA1 of the URL followed by each sorted name and value, base64: computed here
    # without the SDK, so the SDK call and our form parsing are both checked.
    fields = sorted(parse_qsl(RECEIVE_TEXT, keep_blank_values=True))
    signed = URL + "".join(name + value for name, value in fields)
    digest = hmac.new(TOKEN.encode(), signed.encode(), hashlib.sha1).digest()
    request = WebhookRequest(
        url=URL,
        body=RECEIVE_TEXT.encode(),
        headers={"X-Twilio-Signature": base64.b64encode(digest).decode()},
    )
    twilio.verify(request, CREDS)


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        pytest.param(
            WebhookRequest(url=URL, body=RECEIVE_TEXT.encode()),
            "missing request signature",
            id="missing",
        ),
        pytest.param(_signed(RECEIVE_TEXT, token="not-the-token"), "invalid", id="other-token"),
        pytest.param(
            WebhookRequest(
                url=URL,
                body=_receive(Body="Changed").encode(),
                headers=_signed(RECEIVE_TEXT).headers,
            ),
            "invalid",
            id="body-changed",
        ),
        pytest.param(
            WebhookRequest(
                url=URL,
                body=RECEIVE_TEXT.encode(),
                headers=_signed(RECEIVE_TEXT, url="https://elsewhere.example.org/hook/").headers,
            ),
            "invalid",
            id="signed-for-another-url",
        ),
    ],
)
def test_a_bad_or_missing_signature_is_refused(request_, reason):
    with pytest.raises(SignatureError, match=reason):
        twilio.verify(request_, CREDS)


def test_a_number_without_an_auth_token_refuses_every_webhook():
    with pytest.raises(SignatureError, match="no auth token"):
        twilio.verify(_signed(RECEIVE_TEXT), TwilioCredentials("AC1", ""))


def test_a_sharedkey_hmac_sha256_signature_is_checked_with_that_algorithm():
    params = dict(parse_qsl(RECEIVE_TEXT, keep_blank_values=True))
    signature = RequestValidator(TOKEN).compute_signature(URL, params, "HMAC_SHA256")
    headers = {
        "X-Twilio-Signature": signature,
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    }
    twilio.verify(WebhookRequest(url=URL, body=RECEIVE_TEXT.encode(), headers=headers), CREDS)
    with pytest.raises(SignatureError):
        twilio.verify(
            WebhookRequest(
                url=URL, body=RECEIVE_TEXT.encode(), headers={"X-Twilio-Signature": signature}
            ),
            CREDS,
        )


def _behind_proxy(signature: str, **headers: str):
    return RequestFactory().post(
        "/messaging/twilio/receive/?number=1",
        data=RECEIVE_TEXT,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature, **headers},
    )


def test_behind_a_proxy_the_public_url_is_rebuilt_from_the_forwarded_headers():
    public = "https://sms.example.org/messaging/twilio/receive/?number=1"
    signature = RequestValidator(TOKEN).compute_signature(
        public, dict(parse_qsl(RECEIVE_TEXT, keep_blank_values=True))
    )
    django_request = _behind_proxy(
        signature, X_Forwarded_Proto="https, http", X_Forwarded_Host="sms.example.org"
    )
    request = webhook_request_from_django(django_request)
    assert request.url == public
    twilio.verify(request, CREDS)
    # Without the forwarded headers Django's own view (http://testserver) fails the check.
    with pytest.raises(SignatureError):
        twilio.verify(webhook_request_from_django(_behind_proxy(signature)), CREDS)


def test_a_configured_public_base_url_wins_over_the_forwarded_headers():
    public = "https://texts.example.com/messaging/twilio/receive/?number=1"
    signature = RequestValidator(TOKEN).compute_signature(
        public, dict(parse_qsl(RECEIVE_TEXT, keep_blank_values=True))
    )
    django_request = _behind_proxy(signature, X_Forwarded_Host="internal.lan")
    request = webhook_request_from_django(
        django_request, public_base_url="https://texts.example.com/"
    )
    assert request.url == public
    twilio.verify(request, CREDS)


@pytest.fixture
def fake():
    with serve(FakeConfig(twilio_errors={"+15005550009": 21610, "+15005550010": 21614})) as f:
        yield f


def _creds(fake, **changes) -> TwilioCredentials:
    return TwilioCredentials(
        account_sid=fake.config.twilio_account_sid,
        auth_token=fake.config.twilio_auth_token,
        base_url=fake.base_url,
        **changes,
    )


def test_a_send_posts_the_documented_form_to_the_messages_api(fake):
    msg = SendRequest(
        to="+14133881111",
        text="Rally at 6",
        from_number="+12028831111",
        media_urls=("https://cdn.example.org/a.jpg", "https://cdn.example.org/b.png"),
        status_callback_url="https://sms.example.org/messaging/twilio/status/?id=7",
        validity_period=3600,
    )
    with httpx.Client() as client:
        result = send(client, twilio, msg, _creds(fake))
    [seen] = fake.requests
    sid = fake.config.twilio_account_sid
    assert seen.path == f"/2010-04-01/Accounts/{sid}/Messages.json"
    token = base64.b64encode(f"{sid}:{fake.config.twilio_auth_token}".encode()).decode()
    assert seen.headers["Authorization"] == f"Basic {token}"
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.form() == {
        "To": ["+14133881111"],
        "Body": ["Rally at 6"],
        "From": ["+12028831111"],
        "MediaUrl": ["https://cdn.example.org/a.jpg", "https://cdn.example.org/b.png"],
        "StatusCallback": ["https://sms.example.org/messaging/twilio/status/?id=7"],
        "ValidityPeriod": ["3600"],
    }
    assert result.accepted and result.external_id == fake.accepted["twilio"][0]
    assert result.external_id.startswith("SM")


def test_a_send_through_a_messaging_service_names_the_service_not_a_from(fake):
    msg = SendRequest(to="+14133881111", text="Hi")
    creds = _creds(fake, messaging_service_sid="MGdb23ec0f89ee2632e46e91d8128f5e2b")
    with httpx.Client() as client:
        result = send(client, twilio, msg, creds)
    assert fake.requests[0].form() == {
        "To": ["+14133881111"],
        "Body": ["Hi"],
        "MessagingServiceSid": ["MGdb23ec0f89ee2632e46e91d8128f5e2b"],
    }
    assert result.accepted


def test_a_send_with_neither_from_nor_messaging_service_is_refused_before_any_request():
    with pytest.raises(ProviderConfigError, match="From number or a MessagingServiceSid"):
        twilio.build_send(SendRequest(to="+14133881111", text="Hi"), CREDS)


@pytest.mark.parametrize(
    ("to", "code", "fact"),
    [
        ("+15005550009", "21610", NumberFact.OPTED_OUT),
        ("+15005550010", "21614", NumberFact.INVALID),
    ],
)
def test_a_refused_send_turns_the_error_code_into_a_fact_about_the_number(fake, to, code, fact):
    msg = SendRequest(to=to, text="Hi", from_number="+12028831111")
    with httpx.Client() as client:
        result = send(client, twilio, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.error_code) == (False, False, code)
    assert result.number_fact == fact and fake.accepted["twilio"] == []


def test_a_throttled_send_is_retryable_after_the_retry_after_delay():
    with serve(FakeConfig(rate_limit=0, retry_after=7)) as fake, httpx.Client() as client:
        msg = SendRequest(to="+14133881111", text="Hi", from_number="+12028831111")
        result = send(client, twilio, msg, _creds(fake))
    assert (result.accepted, result.retryable, result.retry_after) == (False, True, 7.0)
    assert result.error_code == "20429" and result.number_fact is None


def test_a_send_with_a_wrong_token_is_refused_and_not_retried(fake):
    msg = SendRequest(to="+14133881111", text="Hi", from_number="+12028831111")
    with httpx.Client() as client:
        result = send(client, twilio, msg, replace(_creds(fake), auth_token="wrong"))
    assert (result.accepted, result.retryable, result.error_code) == (False, False, "20003")


@pytest.mark.parametrize(
    ("status", "body", "retryable", "code"),
    [
        (500, b"", True, "500"),
        (503, b'{"code": 20500, "message": "Internal Server Error"}', True, "20500"),
        (400, b'{"code": 20429, "message": "Too Many Requests"}', True, "20429"),
        (400, b'{"code": 21602, "message": "Message body is required"}', False, "21602"),
        (404, b"<html>", False, "404"),
    ],
)
def test_provider_answers_decide_whether_a_send_is_retried(status, body, retryable, code):
    result = twilio.parse_send_response(status, {}, body)
    assert (result.accepted, result.retryable, result.error_code) == (False, retryable, code)


def test_a_send_to_an_unreachable_api_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    creds = TwilioCredentials(CREDS.account_sid, TOKEN, base_url=f"http://127.0.0.1:{port}")
    msg = SendRequest(to="+14133881111", text="Hi", from_number="+12028831111")
    with httpx.Client() as client:
        result = send(client, twilio, msg, creds)
    assert (result.accepted, result.retryable) == (False, True)


@pytest.mark.parametrize(
    "value",
    [
        "Polls open 7am-8pm",
        "Café & façade: 50% off = ¡sí! 🎉",
        "https://sms.example.org/messaging/receipts/?ref=123456",
        "https://sms.example.org/r/?a=1&ref=9",
        "ends with = ",
        "=42",
        "a+b=c d",
        "",
    ],
)
def test_the_form_body_is_what_urlencode_gives_byte_for_byte(value):
    fields = [("To", "+12025550100"), ("Body", value), ("StatusCallback", value)]
    assert _form_body(fields) == urlencode(fields).encode()
