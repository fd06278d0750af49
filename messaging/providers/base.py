"""What every carrier module speaks: our terms for inbound texts, receipts and sends.

Each provider (twilio, telnyx, bandwidth) verifies and parses webhooks in its own terms
and translates them once into these dataclasses, as RapidPro's courier handlers do; the
wiring into models and services only ever sees these. Nothing here touches the database
or the network: a send is a request to build (`Provider.build_send`) and an answer to
read (`Provider.parse_send_response`), so a pooled or async client can keep many in
flight; `send` and `send_async` are the plain drivers.
"""

from __future__ import annotations

import email.utils
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

import httpx

from core.errors import ErrorKind, ServiceError
from profiles.models import OptOutSource

# A carrier-level opt-out is the subscriber's STOP, only answered by the carrier.
OPT_OUT_SOURCE = OptOutSource.STOP_WORD


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class NumberFact(StrEnum):
    """What a failure tells us about the number itself, not about one message."""

    OPTED_OUT = "opted_out"  # the carrier holds a STOP for it: opt the profile out
    INVALID = "invalid"  # a landline or other number that cannot take texts
    HARD_BOUNCE = "hard_bounce"  # no such handset: clean at once
    SOFT_BOUNCE = "soft_bounce"  # unreachable for now: clean after a run of them


class WebhookRejected(ServiceError):
    """A webhook that must not be believed (401) or cannot be read (400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignatureError(WebhookRejected):
    """Missing, wrong or stale signature or credentials: answer 401, store nothing."""

    kind = ErrorKind.FORBIDDEN


class PayloadError(WebhookRejected):
    """A signed request whose body is not one of the provider's documented shapes."""


class ProviderConfigError(ServiceError, ValueError):
    """Credentials or a send that cannot make a valid request (no sender, no key)."""

    kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class ErrorMeaning:
    """One provider error code in our terms."""

    description: str
    number_fact: NumberFact | None = None
    # Throttling: try the same message again later; it says nothing about the number.
    retryable: bool = False


UNKNOWN_ERROR = ErrorMeaning("Delivery failed")


def error_meaning(table: Mapping[str, ErrorMeaning], code: str) -> ErrorMeaning:
    return table.get(code, UNKNOWN_ERROR)


@dataclass(frozen=True)
class InboundText:
    external_id: str
    from_number: str
    to_number: str
    text: str
    media_urls: tuple[str, ...] = ()
    received_at: datetime | None = None
    # STOP / START / HELP when the provider already answered the keyword itself
    # (Twilio's OptOutType): record it, send no receipt of our own.
    provider_opt_out: str | None = None


@dataclass(frozen=True)
class Delivery:
    """The delivery state of one message of ours, as stored and as merged."""

    status: DeliveryStatus
    permanent: bool = False
    error_code: str = ""
    number_fact: NumberFact | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """One delivery receipt for one recipient of one provider message."""

    external_id: str
    status: DeliveryStatus
    provider_status: str
    recipient: str = ""
    permanent: bool = False
    error_code: str = ""
    description: str = ""
    number_fact: NumberFact | None = None
    retryable: bool = False
    segments: int | None = None
    occurred_at: datetime | None = None

    @property
    def delivery(self) -> Delivery:
        return Delivery(self.status, self.permanent, self.error_code, self.number_fact)


def status_update(
    *,
    table: Mapping[str, ErrorMeaning],
    status: DeliveryStatus,
    external_id: str,
    provider_status: str,
    recipient: str = "",
    error_code: str = "",
    description: str = "",
    segments: int | None = None,
    occurred_at: datetime | None = None,
) -> StatusUpdate:
    """A receipt in our terms; on a failure the error code decides fact and retry."""
    if status != DeliveryStatus.FAILED:
        return StatusUpdate(
            external_id=external_id,
            status=status,
            provider_status=provider_status,
            recipient=recipient,
            segments=segments,
            occurred_at=occurred_at,
        )
    meaning = error_meaning(table, error_code)
    return StatusUpdate(
        external_id=external_id,
        status=status,
        provider_status=provider_status,
        recipient=recipient,
        permanent=not meaning.retryable,
        error_code=error_code,
        description=description or meaning.description,
        number_fact=meaning.number_fact,
        retryable=meaning.retryable,
        segments=segments,
        occurred_at=occurred_at,
    )


@dataclass(frozen=True)
class SendRequest:
    """One outgoing text, in our terms; each provider names the fields its own way."""

    to: str
    text: str
    from_number: str = ""
    media_urls: tuple[str, ...] = ()
    status_callback_url: str = ""
    validity_period: int | None = None  # seconds the carrier may keep trying (Twilio)
    tag: str = ""  # our reference, echoed back in receipts where the provider allows


@dataclass(frozen=True)
class SendResult:
    external_id: str | None
    accepted: bool
    retryable: bool = False
    retry_after: float | None = None
    error_code: str = ""
    description: str = ""
    number_fact: NumberFact | None = None
    raw: Any = None


class HttpCall(NamedTuple):
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str
    messaging_service_sid: str = ""
    base_url: str = "https://api.twilio.com"


@dataclass(frozen=True)
class TelnyxCredentials:
    api_key: str
    public_key: str  # base64 Ed25519 key from the portal, for webhook signatures
    messaging_profile_id: str = ""
    base_url: str = "https://api.telnyx.com"


@dataclass(frozen=True)
class BandwidthCredentials:
    account_id: str
    username: str
    password: str
    application_id: str
    # The HTTP Basic pair we set on the number's callbacks; Bandwidth signs nothing else.
    callback_username: str = ""
    callback_password: str = ""
    base_url: str = "https://messaging.bandwidth.com"


Credentials = TwilioCredentials | TelnyxCredentials | BandwidthCredentials
C = TypeVar("C", TwilioCredentials, TelnyxCredentials, BandwidthCredentials)


@dataclass(frozen=True)
class WebhookRequest:
    """The parts of an HTTP request a provider signs and sends: URL, headers, raw body."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return ""


def public_url(request: Any, public_base_url: str = "") -> str:
    """The URL the provider called, which is what it signed.

    Behind a proxy Django sees http://app:8000/...; the provider signed https://host/...
    A configured public base URL wins; otherwise the first X-Forwarded-Proto and
    X-Forwarded-Host are believed. Trusting them is safe here: they only choose the URL
    the signature is checked against, and forging a signature for any URL needs the
    secret.
    """
    path = request.get_full_path()
    if public_base_url:
        return public_base_url.rstrip("/") + path
    meta = request.META
    scheme = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip() or request.scheme
    host = (
        meta.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
        or meta.get("HTTP_HOST", "")
        or f"{meta.get('SERVER_NAME', '')}:{meta.get('SERVER_PORT', '')}"
    )
    return f"{scheme}://{host}{path}"


def webhook_request_from_django(request: Any, *, public_base_url: str = "") -> WebhookRequest:
    return WebhookRequest(
        url=public_url(request, public_base_url),
        body=request.body,
        headers=dict(request.headers),
    )


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def json_body(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def transient_result(
    status_code: int, headers: Mapping[str, str], code: str, raw: Any
) -> SendResult | None:
    """429 and 5xx: the provider did not take the message; send it again later."""
    if status_code == 429:
        return SendResult(
            external_id=None,
            accepted=False,
            retryable=True,
            retry_after=retry_after_seconds(headers),
            error_code=code or "429",
            description="Throttled by the provider",
            raw=raw,
        )
    if status_code >= 500:
        return SendResult(
            external_id=None,
            accepted=False,
            retryable=True,
            retry_after=retry_after_seconds(headers),
            error_code=code or str(status_code),
            description=f"Provider error (HTTP {status_code})",
            raw=raw,
        )
    return None


def refused_result(
    table: Mapping[str, ErrorMeaning], code: str, description: str, raw: Any
) -> SendResult:
    meaning = error_meaning(table, code)
    return SendResult(
        external_id=None,
        accepted=False,
        retryable=meaning.retryable,
        error_code=code,
        description=description or meaning.description,
        number_fact=meaning.number_fact,
        raw=raw,
    )


class Provider(ABC, Generic[C]):
    """One carrier: verify and parse its webhooks, build and read its sends."""

    name: ClassVar[str]

    @abstractmethod
    def verify(self, request: WebhookRequest, creds: C) -> None:
        """Raise SignatureError unless the request provably comes from the provider."""

    @abstractmethod
    def parse_inbound(self, request: WebhookRequest) -> list[InboundText]:
        """The inbound texts of a verified webhook (other events in it are skipped)."""

    @abstractmethod
    def parse_status(self, request: WebhookRequest) -> list[StatusUpdate]:
        """The delivery receipts of a verified webhook (inbound texts are skipped)."""

    @abstractmethod
    def build_send(self, msg: SendRequest, creds: C) -> HttpCall: ...

    @abstractmethod
    def parse_send_response(
        self, status_code: int, headers: Mapping[str, str], body: bytes
    ) -> SendResult: ...


def _network_failure(exc: Exception) -> SendResult:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        # The request never left: sending it again cannot make a duplicate.
        return SendResult(
            external_id=None,
            accepted=False,
            retryable=True,
            description=f"Could not reach the provider: {exc.__class__.__name__}",
        )
    # The request was written and no answer came: the provider may have taken it, and
    # none of the three offers an idempotency key, so a resend could text twice.
    return SendResult(
        external_id=None,
        accepted=False,
        retryable=False,
        description=f"No answer from the provider, outcome unknown: {exc.__class__.__name__}",
    )


def send(client: httpx.Client, provider: Provider[C], msg: SendRequest, creds: C) -> SendResult:
    call = provider.build_send(msg, creds)
    try:
        response = client.request(call.method, call.url, headers=call.headers, content=call.body)
    except httpx.TransportError as exc:
        return _network_failure(exc)
    return provider.parse_send_response(response.status_code, response.headers, response.content)


async def send_async(
    client: httpx.AsyncClient, provider: Provider[C], msg: SendRequest, creds: C
) -> SendResult:
    call = provider.build_send(msg, creds)
    try:
        response = await client.request(
            call.method, call.url, headers=call.headers, content=call.body
        )
    except httpx.TransportError as exc:
        return _network_failure(exc)
    return provider.parse_send_response(response.status_code, response.headers, response.content)
