"""Sending numbers' provider credentials: which fields each provider needs, and how
they are kept (encrypted at rest, never shown again).

The credentials of a channel are one JSON object encrypted with Fernet (AES-128-CBC
with an HMAC-SHA256, from `cryptography`) under MultiFernet: the first key of
CHANNEL_CREDENTIALS_KEYS encrypts, every key decrypts, so a key is rotated by putting
a new one first (and `credentials_rotate` re-encrypts a channel under it). With no key
configured one is derived from SECRET_KEY so the quick start works; production refuses
that (config/checks.py, shortcode.E007).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from core.errors import ErrorKind, ServiceError

from .providers.base import (
    BandwidthCredentials,
    Credentials,
    TelnyxCredentials,
    TwilioCredentials,
)


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    required: bool = True
    help: str = ""


# What an admin types for each provider (the dataclasses of providers.base, field by
# field). Every value is treated as a secret: none is shown again after saving.
CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "twilio": (
        CredentialField("account_sid", "Account SID", help="Console → Account info, AC…"),
        CredentialField("auth_token", "Auth token", help="Signs Twilio's webhooks too"),
        CredentialField(
            "messaging_service_sid",
            "Messaging Service SID",
            required=False,
            help="MG…; optional: sends through the service's sender pool",
        ),
    ),
    "telnyx": (
        CredentialField("api_key", "API key", help="Portal → Auth → API keys, KEY…"),
        CredentialField(
            "public_key", "Public key", help="Portal → Keys & credentials → Public key (base64)"
        ),
        CredentialField("messaging_profile_id", "Messaging profile id", required=False),
    ),
    "bandwidth": (
        CredentialField("account_id", "Account id"),
        CredentialField("username", "API username"),
        CredentialField("password", "API password"),
        CredentialField("application_id", "Messaging application id"),
        CredentialField(
            "callback_username",
            "Callback username",
            help="You choose it; set it on the application",
        ),
        CredentialField(
            "callback_password",
            "Callback password",
            help="You choose it; set it on the application",
        ),
    ),
    "generic": (),
}

_CLASSES = {
    "twilio": TwilioCredentials,
    "telnyx": TelnyxCredentials,
    "bandwidth": BandwidthCredentials,
}


class CredentialsUnreadable(ServiceError):
    """Stored credentials no configured key decrypts (a key was removed or changed)."""

    kind = ErrorKind.UNAVAILABLE


def _derived_key() -> bytes:
    # Quick start only: a stable key from SECRET_KEY, labelled so it is no other use's.
    digest = hashlib.sha256(b"shortcode.channel-credentials:" + settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(digest.digest())


def _fernet() -> MultiFernet:
    keys: list[str | bytes] = [*settings.CHANNEL_CREDENTIALS_KEYS] or [_derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def credentials_encrypt(values: dict[str, str]) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def credentials_decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "The number's credentials cannot be decrypted with CHANNEL_CREDENTIALS_KEYS"
        ) from exc


def credentials_rotate(token: str) -> str:
    """The same credentials encrypted under the first (newest) key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def provider_credentials(provider: str, values: dict[str, str]) -> Credentials | None:
    """The provider module's credentials object; None for the generic aggregator."""
    cls = _CLASSES.get(provider)
    if cls is None:
        return None
    # A required field missing from an older row is empty (the provider module then
    # refuses it with its own reason) rather than a TypeError here.
    return cls(
        **{
            field.name: values.get(field.name, "")
            for field in CREDENTIAL_FIELDS[provider]
            if field.required or values.get(field.name)
        }
    )
