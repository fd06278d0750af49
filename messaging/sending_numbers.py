"""The number a message leaves from: its provider, credentials and messages per second.

The delivery pipeline (messaging.carriers) asks `sending_number_for(message)` for each
message and groups, paces and signs requests by what it gets back; it never reads
provider settings itself. Today every message leaves from the one number declared in
settings (SMS_PROVIDER, TWILIO_*, TELNYX_*, BANDWIDTH_*, SMS_NUMBER_MPS). A company's
sending number (messaging.models.Channel) already builds the same object
(`Channel.sending_number()`); choosing it per message (messaging.channels
`channel_for_message`) is the one change left for the pipeline to send from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from .providers.base import (
    BandwidthCredentials,
    Credentials,
    TelnyxCredentials,
    TwilioCredentials,
)


@dataclass(frozen=True)
class SendingNumber:
    """One sending number (long code, short code or messaging service)."""

    key: str  # stable and unique per number: the rate limiter's bucket
    number: str  # the From number ("" when a Twilio Messaging Service picks it)
    provider: str  # a key of messaging.providers.PROVIDERS
    # The provider module's dataclass; None for the generic aggregator (SMS_GATEWAY).
    credentials: Credentials | None
    mps: int  # messages per second the carrier allows this number


def _base_url(default: str) -> str:
    return settings.SMS_PROVIDER_BASE_URL or default


def _settings_credentials(provider: str) -> Credentials:
    if provider == "twilio":
        return TwilioCredentials(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            base_url=_base_url("https://api.twilio.com"),
        )
    if provider == "telnyx":
        return TelnyxCredentials(
            api_key=settings.TELNYX_API_KEY,
            public_key=settings.TELNYX_PUBLIC_KEY,
            messaging_profile_id=settings.TELNYX_MESSAGING_PROFILE_ID,
            base_url=_base_url("https://api.telnyx.com"),
        )
    if provider == "bandwidth":
        return BandwidthCredentials(
            account_id=settings.BANDWIDTH_ACCOUNT_ID,
            username=settings.BANDWIDTH_USERNAME,
            password=settings.BANDWIDTH_PASSWORD,
            application_id=settings.BANDWIDTH_APPLICATION_ID,
            base_url=_base_url("https://messaging.bandwidth.com"),
        )
    raise ValueError(f"Unknown SMS_PROVIDER {provider!r}: twilio, telnyx or bandwidth")


@cache
def _settings_number(
    provider: str, originator: str, mps: int, fingerprint: tuple[Any, ...]
) -> SendingNumber:
    del fingerprint  # part of the cache key only: new credentials, new object
    return SendingNumber(
        key=f"{provider}:{originator or 'service'}",
        number=originator,
        provider=provider,
        credentials=_settings_credentials(provider),
        mps=max(mps, 1),
    )


def sending_number_for(message: Any, *, provider: str | None = None) -> SendingNumber:
    """The number `message` leaves from (today: the one number in settings).

    `provider` pins the provider (TwilioGateway and its siblings); otherwise it is
    SMS_PROVIDER. The message's originator (a short code, or the company's number) is
    the From when it looks like a phone number or a short code.
    """
    provider = provider or settings.SMS_PROVIDER
    originator = getattr(message, "originator", "") or settings.SMS_DEFAULT_ORIGINATOR
    fingerprint = (
        settings.SMS_PROVIDER_BASE_URL,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_MESSAGING_SERVICE_SID,
        settings.TELNYX_API_KEY,
        settings.TELNYX_MESSAGING_PROFILE_ID,
        settings.BANDWIDTH_ACCOUNT_ID,
        settings.BANDWIDTH_USERNAME,
        settings.BANDWIDTH_PASSWORD,
        settings.BANDWIDTH_APPLICATION_ID,
    )
    return _settings_number(provider, originator, settings.SMS_NUMBER_MPS, fingerprint)
