"""Twilio Programmable Messaging: the Messages API, form-encoded webhooks, X-Twilio-Signature.

Receive: Twilio POSTs the message as a form (MessageSid, From, To, Body, NumMedia,
MediaUrl0..n, and OptOutType when a Messaging Service with Advanced Opt-Out already
answered STOP/START/HELP). Status: the StatusCallback URL gets MessageSid,
MessageStatus and ErrorCode. Send: POST /2010-04-01/Accounts/{AccountSid}/Messages.json
with HTTP Basic AccountSid:AuthToken. Signatures are checked by the official SDK's
RequestValidator against the public URL Twilio called (see base.public_url).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from urllib.parse import parse_qs, quote_plus

from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

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
    TwilioCredentials,
    WebhookRequest,
    json_body,
    refused_result,
    status_update,
    transient_result,
)

# https://www.twilio.com/docs/api/errors
_THROTTLED = ErrorMeaning("Throttled", retryable=True)
ERRORS: dict[str, ErrorMeaning] = {
    "21610": ErrorMeaning("Attempt to send to unsubscribed recipient", NumberFact.OPTED_OUT),
    "21614": ErrorMeaning("'To' number is not a valid mobile number", NumberFact.INVALID),
    "30006": ErrorMeaning("Landline or unreachable carrier", NumberFact.INVALID),
    "21211": ErrorMeaning("Invalid 'To' phone number", NumberFact.HARD_BOUNCE),
    "30005": ErrorMeaning("Unknown destination handset", NumberFact.HARD_BOUNCE),
    "30003": ErrorMeaning("Unreachable destination handset", NumberFact.SOFT_BOUNCE),
    "20429": ErrorMeaning("Too many requests", retryable=True),
    # US A2P 10DLC throughput and daily caps: the campaign's limits, not the number's.
    "30022": ErrorMeaning("US A2P 10DLC: rate limits exceeded", retryable=True),
    "30023": ErrorMeaning("US A2P 10DLC: daily message cap reached", retryable=True),
    "30024": _THROTTLED,
    "30025": _THROTTLED,
    "30026": _THROTTLED,
    "30027": ErrorMeaning("US A2P 10DLC: T-Mobile daily message limit reached", retryable=True),
    # Courier treats Twilio's channel rate limit the same way.
    "63018": ErrorMeaning("Rate limit exceeded for channel", retryable=True),
}

STATUSES: dict[str, DeliveryStatus] = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}

OPT_OUT_TYPES = {"STOP", "START", "HELP"}


class _Form(dict[str, list[str]]):
    """A parsed form that RequestValidator reads like Django's QueryDict (getlist)."""

    def getlist(self, key: str) -> list[str]:
        return self[key]

    def first(self, key: str) -> str:
        return self.get(key, [""])[0]


def _form(body: bytes) -> _Form:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError("the form is not UTF-8") from exc
    return _Form(parse_qs(text, keep_blank_values=True))


def _required(form: _Form, *names: str) -> None:
    for name in names:
        if not form.first(name):
            raise PayloadError(f"field '{name}' required")


# urlencode quotes character by character in Python: at 1,000 messages a second it was
# the largest CPU cost of building requests. A broadcast repeats its body, its From and
# its callback's base in every message, so each distinct value is quoted once.
_quote = functools.lru_cache(maxsize=4096)(quote_plus)


def _quote_value(value: str) -> str:
    # Quoting maps each character on its own, so a value quotes as its parts do: the
    # part that repeats (a callback URL up to its "ref=") is cached, its tail (our
    # message id) is quoted alone.
    head, sep, tail = value.rpartition("=")
    if sep and tail.isdigit():
        return _quote(head + sep) + tail
    return _quote(value)


def _form_body(fields: list[tuple[str, str]]) -> bytes:
    """The form body urlencode(fields) gives, byte for byte."""
    return "&".join(f"{_quote(name)}={_quote_value(value)}" for name, value in fields).encode()


class TwilioProvider(Provider[TwilioCredentials]):
    name = "twilio"

    def verify(self, request: WebhookRequest, creds: TwilioCredentials) -> None:
        signature = request.header(SIGNATURE_HEADER)
        if not signature:
            raise SignatureError("missing request signature")
        if not creds.auth_token:
            raise SignatureError("no auth token configured for this number")
        algorithm = get_signature_algorithm(request.header(SIGNATURE_SETTINGS_HEADER))
        validator = RequestValidator(creds.auth_token)
        if not validator.validate(request.url, _form(request.body), signature, algorithm):
            raise SignatureError("invalid request signature")

    def parse_inbound(self, request: WebhookRequest) -> list[InboundText]:
        form = _form(request.body)
        _required(form, "MessageSid", "From", "To")
        try:
            media_count = int(form.first("NumMedia") or 0)
        except ValueError as exc:
            raise PayloadError("field 'NumMedia' is not a number") from exc
        media = tuple(form.first(f"MediaUrl{i}") for i in range(media_count))
        opt_out = form.first("OptOutType").upper() or None
        if opt_out is not None and opt_out not in OPT_OUT_TYPES:
            raise PayloadError(f"unknown OptOutType '{opt_out}'")
        return [
            InboundText(
                external_id=form.first("MessageSid"),
                from_number=form.first("From"),
                to_number=form.first("To"),
                text=form.first("Body"),
                media_urls=tuple(url for url in media if url),
                provider_opt_out=opt_out,
            )
        ]

    def parse_status(self, request: WebhookRequest) -> list[StatusUpdate]:
        form = _form(request.body)
        _required(form, "MessageSid", "MessageStatus")
        provider_status = form.first("MessageStatus")
        status = STATUSES.get(provider_status)
        if status is None:
            raise PayloadError(f"unknown status '{provider_status}'")
        return [
            status_update(
                table=ERRORS,
                status=status,
                external_id=form.first("MessageSid"),
                provider_status=provider_status,
                recipient=form.first("To"),
                error_code=form.first("ErrorCode"),
            )
        ]

    def build_send(self, msg: SendRequest, creds: TwilioCredentials) -> HttpCall:
        if not (creds.account_sid and creds.auth_token):
            raise ProviderConfigError("Twilio needs an Account SID and an auth token")
        fields: list[tuple[str, str]] = [("To", msg.to)]
        if msg.text:
            fields.append(("Body", msg.text))
        # A Messaging Service picks the sender from its pool; an explicit From still wins.
        if creds.messaging_service_sid:
            fields.append(("MessagingServiceSid", creds.messaging_service_sid))
        if msg.from_number:
            fields.append(("From", msg.from_number))
        if not (creds.messaging_service_sid or msg.from_number):
            raise ProviderConfigError("Twilio needs a From number or a MessagingServiceSid")
        fields.extend(("MediaUrl", url) for url in msg.media_urls)
        if msg.status_callback_url:
            fields.append(("StatusCallback", msg.status_callback_url))
        if msg.validity_period is not None:
            fields.append(("ValidityPeriod", str(msg.validity_period)))
        basic = base64.b64encode(f"{creds.account_sid}:{creds.auth_token}".encode()).decode()
        return HttpCall(
            "POST",
            f"{creds.base_url.rstrip('/')}/2010-04-01/Accounts/{creds.account_sid}/Messages.json",
            {
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            _form_body(fields),
        )

    def parse_send_response(
        self, status_code: int, headers: Mapping[str, str], body: bytes
    ) -> SendResult:
        answer = json_body(body)
        answer = answer if isinstance(answer, dict) else {}
        code = str(answer.get("code") or "")
        transient = transient_result(status_code, headers, code, answer)
        if transient is not None:
            return transient
        if 200 <= status_code < 300:
            # Taken, even if the body is odd: sending again would text the number twice.
            return SendResult(external_id=answer.get("sid") or None, accepted=True, raw=answer)
        return refused_result(
            ERRORS, code or str(status_code), str(answer.get("message") or ""), answer
        )


provider = TwilioProvider()
