"""Sending numbers (channels): adding, changing and retiring them, and which one a
message leaves from.

For the sending pipeline: `channel_for_message(message)` is the channel a message is
sent from (its campaign's, else the one its originator names, else the company's
oldest active one; None when the company has none and the settings' number sends it);
messaging.sending_numbers turns it into the `SendingNumber` the pipeline groups, paces
and signs by (number, provider, decrypted credentials, messages per second).

A number belongs to one company while it is active (a unique index): the number an
inbound text was sent to decides the company, its keywords and its opt-outs.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Company
from core.errors import ServiceError

from .credentials import CREDENTIAL_FIELDS, credentials_decrypt, credentials_encrypt
from .models import Channel, Message
from .routing import number_normalize

# Throughput a new number starts with, in messages per second (the admin sets the
# number's real figure): US short codes start at 100 MPS; a verified toll-free number
# at 25 (Twilio and Bandwidth's default for verified toll-free); a 10DLC number's
# throughput depends on the brand's trust score and its carriers, and Twilio queues
# long codes at 1 MPS per number by default; RCS agents are rate-limited per agent by
# the RBM platform, where 10 is a safe start.
MPS_DEFAULTS: dict[str, int] = {
    Channel.Kind.SHORT_CODE: 100,
    Channel.Kind.TOLL_FREE: 25,
    Channel.Kind.LONG_CODE_10DLC: 1,
    Channel.Kind.RCS_AGENT: 10,
}
MPS_MAX = 10_000


class ChannelError(ServiceError, ValueError):
    """A sending-number change the rules refuse; the message is for the admin."""


def _number(kind: str, raw: str) -> str:
    if kind == Channel.Kind.RCS_AGENT:
        agent = (raw or "").strip()
        if not agent or len(agent) > 40 or any(c.isspace() for c in agent):
            raise ChannelError("An RCS agent is named by its agent id, one word.")
        return agent
    number = number_normalize(raw)
    if not number:
        raise ChannelError(f"{raw!r} is not a short code (3–8 digits) or a phone number.")
    if kind == Channel.Kind.SHORT_CODE and not number.isdigit():
        raise ChannelError("A short code is 3 to 8 digits; choose another kind for a long code.")
    if kind != Channel.Kind.SHORT_CODE and number.isdigit():
        raise ChannelError("A long code or toll-free number is a full phone number.")
    return number


def _mps(kind: str, mps: int | None) -> int:
    if mps is None:
        return MPS_DEFAULTS[kind]
    if not 1 <= mps <= MPS_MAX:
        raise ChannelError(f"Messages per second is a whole number from 1 to {MPS_MAX}.")
    return mps


def _credentials(provider: str, given: dict[str, str], kept: dict[str, str]) -> dict[str, str]:
    """The credentials to store: each typed value, else the stored one (write-only form)."""
    fields = CREDENTIAL_FIELDS.get(provider)
    if fields is None:
        raise ChannelError(f"Unknown provider {provider!r}.")
    values = {}
    for field in fields:
        value = (given.get(field.name) or "").strip() or kept.get(field.name, "")
        if any(ord(c) < 32 for c in value):
            raise ChannelError(f"{field.label} contains a control character.")
        if field.required and not value:
            raise ChannelError(f"{field.label} is required for this provider.")
        if value:
            values[field.name] = value
    return values


def _save(channel: Channel) -> Channel:
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise ChannelError(
            f"{channel.number} is already an active number here or of another company."
        ) from exc
    return channel


@transaction.atomic
def channel_create(
    *,
    company: Company,
    kind: str,
    number: str,
    provider: str,
    credentials: dict[str, str],
    mps: int | None = None,
) -> Channel:
    if kind not in Channel.Kind.values:
        raise ChannelError(f"Unknown kind {kind!r}.")
    if provider not in Channel.Provider.values:
        raise ChannelError(f"Unknown provider {provider!r}.")
    channel = Channel(
        company=company,
        kind=kind,
        number=_number(kind, number),
        provider=provider,
        mps=_mps(kind, mps),
        credentials_encrypted=credentials_encrypt(_credentials(provider, credentials, {})),
    )
    return _save(channel)


@transaction.atomic
def channel_update(
    *, channel: Channel, kind: str, number: str, mps: int | None, credentials: dict[str, str]
) -> Channel:
    """Change a number; credentials left blank keep their stored value."""
    if kind not in Channel.Kind.values:
        raise ChannelError(f"Unknown kind {kind!r}.")
    kept = credentials_decrypt(channel.credentials_encrypted)
    channel.kind = kind
    channel.number = _number(kind, number)
    channel.mps = _mps(kind, mps)
    channel.credentials_encrypted = credentials_encrypt(
        _credentials(channel.provider, credentials, kept)
    )
    return _save(channel)


@transaction.atomic
def channel_deactivate(*, channel: Channel) -> Channel:
    """Retire a number: its webhooks are refused and it routes nothing; history stays."""
    channel.active = False
    channel.save(update_fields=["active", "updated_at"])
    return channel


def channel_for_message(message: Message) -> Channel | None:
    """The channel `message` leaves from: its campaign's active channel, else the
    company's active channel its originator names (a test message, a reply), else the
    company's oldest active one; None when the company has none, and the settings'
    number carries it (messaging.sending_numbers)."""
    campaign = message.campaign if message.campaign_id else None
    return channel_for(
        company_id=message.company_id,
        campaign_channel_id=campaign.channel_id if campaign is not None else None,
        originator=message.originator,
    )


def channel_for(
    *, company_id: int, campaign_channel_id: int | None, originator: str
) -> Channel | None:
    """`channel_for_message` on plain values (the delivery batch loads no instances)."""
    company_channels = Channel.objects.filter(company_id=company_id, active=True)
    if campaign_channel_id is not None:
        channel = company_channels.filter(pk=campaign_channel_id).first()
        if channel is not None:
            return channel
    wanted = number_normalize(originator)
    if wanted:
        channel = company_channels.filter(number=wanted).first()
        if channel is not None:
            return channel
    return company_channels.order_by("created_at", "pk").first()


def channel_webhook_urls(*, channel: Channel, base_url: str) -> dict[str, str]:
    """The two URLs to paste into the provider's console, absolute from `base_url`."""
    base = base_url.rstrip("/")
    token = str(channel.webhook_token)
    return {
        "inbound": base + reverse("messaging:channel_inbound", args=[token]),
        "status": base + reverse("messaging:channel_status", args=[token]),
    }
