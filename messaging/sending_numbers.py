"""The number a message leaves from: its provider, credentials and messages per second.

The delivery pipeline (messaging.carriers) asks a `NumberResolver` for each message and
groups, paces and signs requests by what it gets back; it never reads provider settings
itself. A message leaves from its company's sending number (messaging.models.Channel,
chosen by messaging.channels.channel_for: the campaign's number, else the one its
originator names, else the company's oldest active one):

- a Twilio, Telnyx or Bandwidth channel sends with that channel's own (decrypted)
  credentials, paced by the channel's own bucket (`channel:<id>`) at its messages per
  second, its status callbacks addressed to the channel's status webhook;
- a generic channel (the signed-JSON aggregator, and every company's short code
  migrated in messaging.0007) has no provider credentials: it sends from its own
  number and bucket through the settings' provider account;
- only a company with no active channel sends from the one number declared in
  settings (SMS_PROVIDER, TWILIO_*, TELNYX_*, BANDWIDTH_*, SMS_NUMBER_MPS).

SMS_PROVIDER_BASE_URL, when set, points every provider at another host (a local fake
in tests and the benchmark), channels included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from urllib.parse import urlsplit

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
    channel_id: int | None = None  # the company's Channel it is; None: the settings'
    # Where the provider posts this number's receipts ("": SMS_STATUS_CALLBACK_URL).
    status_callback: str = ""


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


def _settings_fingerprint() -> tuple[Any, ...]:
    return (
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


def settings_number(originator: str = "", *, provider: str | None = None) -> SendingNumber:
    """The one number of the settings: for a company that has no sending number.

    `provider` pins the provider (TwilioGateway and its siblings); otherwise it is
    SMS_PROVIDER. The originator (a short code, or the company's number) is the From.
    """
    provider = provider or settings.SMS_PROVIDER
    originator = originator or settings.SMS_DEFAULT_ORIGINATOR
    return _settings_number(provider, originator, settings.SMS_NUMBER_MPS, _settings_fingerprint())


def _public_base_url() -> str:
    """Where providers reach this site: PUBLIC_BASE_URL, else the origin of the
    settings' receipt URL; "" when neither is set (the provider's console URL applies)."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL
    parts = urlsplit(settings.SMS_STATUS_CALLBACK_URL or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def channel_number(channel: Any, *, provider: str | None = None) -> SendingNumber:
    """The `SendingNumber` of a company's channel (credentials decrypted here)."""
    from .channels import channel_webhook_urls  # channels imports models, which import us

    base = _public_base_url()
    callback = channel_webhook_urls(channel=channel, base_url=base)["status"] if base else ""
    if channel.provider not in ("twilio", "telnyx", "bandwidth"):
        # A generic channel: its own number and pace, the settings' provider account.
        carrier = settings_number(channel.number, provider=provider)
        return replace(
            carrier, key=f"channel:{channel.pk}", mps=max(channel.mps, 1), channel_id=channel.pk
        )
    number = channel.sending_number()
    credentials = number.credentials
    if settings.SMS_PROVIDER_BASE_URL and credentials is not None:
        credentials = replace(credentials, base_url=settings.SMS_PROVIDER_BASE_URL)
    return replace(
        number,
        credentials=credentials,
        mps=max(number.mps, 1),
        channel_id=channel.pk,
        status_callback=callback,
    )


class NumberResolver:
    """Which number each message of a batch leaves from, with one query per distinct
    (company, campaign, originator) and one decryption per channel.

    A message is anything with `company_id`, `campaign_id` and `originator` (a Message,
    or the plain rows of messaging.delivery). `provider` pins the provider of the
    settings' number (TwilioGateway …); a channel always sends with its own.
    """

    def __init__(self, *, provider: str | None = None) -> None:
        self.provider = provider
        self._campaign_channel: dict[int, int | None] = {}
        self._channels: dict[tuple[Any, ...], SendingNumber] = {}
        self._numbers: dict[int, SendingNumber] = {}

    def _campaign_channel_id(self, campaign_id: int | None) -> int | None:
        if campaign_id is None:
            return None
        if campaign_id not in self._campaign_channel:
            from campaigns.models import Campaign  # campaigns import messaging

            self._campaign_channel[campaign_id] = (
                Campaign.objects.filter(pk=campaign_id).values_list("channel_id", flat=True).first()
            )
        return self._campaign_channel[campaign_id]

    def number_for(self, message: Any) -> SendingNumber:
        from .channels import channel_for

        company_id = getattr(message, "company_id", None)
        originator = getattr(message, "originator", "") or ""
        if company_id is None:
            return settings_number(originator, provider=self.provider)
        campaign_id = getattr(message, "campaign_id", None)
        key = (company_id, campaign_id, originator)
        if key not in self._channels:
            channel = channel_for(
                company_id=company_id,
                campaign_channel_id=self._campaign_channel_id(campaign_id),
                originator=originator,
            )
            if channel is None:
                number = settings_number(originator, provider=self.provider)
            else:
                if channel.pk not in self._numbers:
                    self._numbers[channel.pk] = channel_number(channel, provider=self.provider)
                number = self._numbers[channel.pk]
            self._channels[key] = number
        return self._channels[key]


def sending_number_for(message: Any, *, provider: str | None = None) -> SendingNumber:
    """The number one message leaves from (see the module docstring)."""
    return NumberResolver(provider=provider).number_for(message)
