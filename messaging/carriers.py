"""The providers' gateways: Twilio, Telnyx, Bandwidth and the generic JSON aggregator.

Each message leaves from its sending number (messaging.sending_numbers: the company's
channel for its campaign, with its credentials, bucket and status webhook); its
provider module (messaging.providers) builds the request and reads the answer, and
the sending engine (messaging.send_engine) keeps many requests in flight, each number
at its bucket's pace. `open_stream` gives the delivery batch a stream to feed slice
after slice; `send_many` sends a list at once.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

from .credentials import CredentialsUnreadable
from .gateways import Bounce, SendResult, _payload
from .providers import PROVIDERS
from .providers.base import (
    HttpCall,
    NumberFact,
    ProviderConfigError,
    SendRequest,
    TwilioCredentials,
    retry_after_seconds,
)
from .providers.base import SendResult as ProviderResult
from .send_engine import (
    _UNREADABLE,
    Answer,
    MessageStream,
    Outgoing,
    dispatch,
    engine_close,
)
from .sending_numbers import NumberResolver, SendingNumber

# ── the providers' gateways ───────────────────────────────────────────────────────


def _fact_bounce(fact: NumberFact | None) -> str:
    if fact == NumberFact.HARD_BOUNCE:
        return Bounce.HARD
    if fact == NumberFact.SOFT_BOUNCE:
        return Bounce.SOFT
    return ""


def from_provider(status_code: int, answer: ProviderResult) -> SendResult:
    """A provider's answer in the terms of messaging.services."""
    if answer.accepted:
        return SendResult(ok=True, gateway_message_id=answer.external_id or "")
    # 429, or a 4xx code that the provider's table calls throughput (Twilio 30022,
    # Telnyx 40011 …): the number is going too fast; nothing is wrong with the message.
    throttled = status_code == 429 or (
        answer.retryable and status_code < 500 and answer.number_fact is None
    )
    return SendResult(
        ok=False,
        error_code=answer.error_code,
        error=answer.description or "Delivery failed",
        bounce=_fact_bounce(answer.number_fact),
        retriable=answer.retryable,
        throttled=throttled,
        retry_after=answer.retry_after,
        number_fact=answer.number_fact.value if answer.number_fact else "",
    )


def status_callback_url(message: Any, number: SendingNumber | None = None) -> str:
    """The number's receipt URL (a channel's status webhook, else the settings' one)
    with our message id, so a receipt can name the message even if the worker that
    sent it died before it stored the provider's id."""
    base = (number.status_callback if number is not None else "") or (
        settings.SMS_STATUS_CALLBACK_URL
    )
    if not base:
        return ""
    return f"{base}{'&' if '?' in base else '?'}ref={int(message.pk)}"


def _media(message: Any) -> tuple[str, ...]:
    url = message.media_url or (
        message.attachment.file.url if getattr(message, "attachment", None) else ""
    )
    return (url,) if url else ()


def _from_number(message: Any, number: SendingNumber) -> str:
    creds = number.credentials
    if isinstance(creds, TwilioCredentials) and creds.messaging_service_sid:
        return ""  # the Messaging Service picks the sender from its pool
    return number.number


class CarrierGateway:
    """Sends each message from its sending number, with that number's provider.

    The number is the company's channel (messaging.sending_numbers): its provider, its
    credentials, its bucket. `provider_name` (the subclasses below) only pins the
    provider of the settings' number, used by a company that has no channel.
    """

    provider_name: str | None = None

    def resolver(self) -> NumberResolver:
        return NumberResolver(provider=self.provider_name)

    def number_for(self, message: Any) -> SendingNumber:
        return self.resolver().number_for(message)

    def outgoing(self, message: Any, number: SendingNumber | None = None) -> Outgoing:
        number = number or self.number_for(message)
        provider = PROVIDERS[number.provider]
        request = SendRequest(
            to=message.phone_number,
            text=message.body,
            from_number=_from_number(message, number),
            media_urls=_media(message),
            status_callback_url=status_callback_url(message, number),
            validity_period=getattr(message, "validity_period", None),
            tag=str(message.pk),
        )

        def read(response: Answer) -> SendResult:
            answer = provider.parse_send_response(
                response.status_code, response.headers, response.content
            )
            return from_provider(response.status_code, answer)

        try:
            call = provider.build_send(request, number.credentials)
        except ProviderConfigError as exc:
            refused = SendResult(ok=False, error=f"Provider not configured: {exc}", retriable=False)
            return Outgoing(number, None, read, refused)
        return Outgoing(number, call, read)

    def send(self, message: Any) -> SendResult:
        return self.send_many([message])[0]

    def send_many(self, messages: list[Any]) -> list[SendResult]:
        # One resolver per batch: a query per distinct (company, campaign, originator)
        # and one decryption per channel, not one per message.
        resolver = self.resolver()
        return dispatch([self._outgoing_resolved(m, resolver) for m in messages])

    def open_stream(self) -> MessageStream:
        """Messages submitted over time, kept in flight continuously (messaging.delivery)."""
        resolver = self.resolver()
        return MessageStream(lambda message: self._outgoing_resolved(message, resolver))

    def _outgoing_resolved(self, message: Any, resolver: NumberResolver) -> Outgoing:
        try:
            number = resolver.number_for(message)
        except CredentialsUnreadable as exc:
            # A key was removed: the number cannot sign; nothing leaves (and the
            # message says why) rather than the whole batch failing.
            refused = SendResult(ok=False, error=f"Provider not configured: {exc}", retriable=False)
            return Outgoing(_UNREADABLE, None, _json_read, refused)
        return self.outgoing(message, number)

    def lookup(self, message: Any, *, since: datetime) -> str | None:
        """The provider's id for `message` if it took it, "" if it did not, None if it
        cannot say. Only Twilio lists messages by recipient; see messaging.in_flight."""
        number = self.number_for(message)
        if number.provider != "twilio":
            return None
        return _twilio_lookup(message, number, since=since)


class TwilioGateway(CarrierGateway):
    provider_name = "twilio"


class TelnyxGateway(CarrierGateway):
    provider_name = "telnyx"


class BandwidthGateway(CarrierGateway):
    provider_name = "bandwidth"


def _twilio_lookup(message: Any, number: SendingNumber, *, since: datetime) -> str | None:
    """Twilio's Messages list filtered by To and day: a message with our body created
    after the attempt started is ours. Any error answers None (cannot say)."""
    creds = number.credentials
    assert isinstance(creds, TwilioCredentials)
    url = f"{creds.base_url.rstrip('/')}/2010-04-01/Accounts/{creds.account_sid}/Messages.json"
    params = {"To": message.phone_number, "DateSent>": since.date().isoformat(), "PageSize": 50}
    try:
        response = httpx.get(
            url, params=params, auth=(creds.account_sid, creds.auth_token), timeout=15.0
        )
        response.raise_for_status()
        listed = response.json().get("messages", [])
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    for item in listed:
        try:
            created = parsedate_to_datetime(item.get("date_created") or "")
        except (TypeError, ValueError):
            continue
        if item.get("body") == message.body and created.timestamp() >= since.timestamp() - 60:
            return str(item.get("sid") or "") or None
    return ""


# ── the generic JSON aggregator (gateways.HttpGateway) ─────────────────────────────


def _json_read(response: Answer) -> SendResult:
    try:
        answer = json.loads(response.content or b"{}")
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    if 200 <= response.status_code < 300:
        return SendResult(ok=True, gateway_message_id=str(answer.get("id", "")))
    raw_error = answer.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    code = str(error.get("code", response.status_code))
    message = str(error.get("message", response.reason_phrase))
    if response.status_code == 429:
        return SendResult(
            ok=False,
            error_code=code,
            error=message,
            throttled=True,
            retry_after=retry_after_seconds(response.headers),
        )
    return SendResult(
        ok=False,
        error_code=code,
        error=message,
        bounce=str(error.get("bounce", "")),
        retriable=response.status_code >= 500,
    )


def _json_outgoing(message: Any) -> Outgoing:
    originator = message.originator or settings.SMS_DEFAULT_ORIGINATOR
    number = SendingNumber(
        key=f"http:{originator}",
        number=originator,
        provider="http",
        credentials=None,  # a bearer token from settings, no stored credentials
        mps=max(settings.SMS_NUMBER_MPS, 1),
    )
    if not settings.SMS_GATEWAY_URL:
        refused = SendResult(ok=False, error="SMS_GATEWAY_URL is not set", retriable=False)
        return Outgoing(number, None, _json_read, refused)
    call = HttpCall(
        "POST",
        settings.SMS_GATEWAY_URL,
        {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
        },
        json.dumps(_payload(message)).encode(),
    )
    return Outgoing(number, call, _json_read)


def json_send_many(messages: list[Any]) -> list[SendResult]:
    return dispatch([_json_outgoing(message) for message in messages])


def json_open_stream() -> MessageStream:
    return MessageStream(_json_outgoing)


__all__ = [
    "BandwidthGateway",
    "CarrierGateway",
    "TelnyxGateway",
    "TwilioGateway",
    "dispatch",
    "engine_close",
    "from_provider",
    "json_open_stream",
    "json_send_many",
]
