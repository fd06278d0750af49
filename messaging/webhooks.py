"""Signatures of the aggregator's webhooks: HMAC-SHA256 of the raw body.

The aggregator sends `X-Shortcode-Signature: sha256=<hex>` (the bare hex is accepted
too), computed with SMS_WEBHOOK_SECRET over the exact bytes of the request body.
"""

import hashlib
import hmac

from django.conf import settings

SIGNATURE_HEADER = "X-Shortcode-Signature"


def webhook_signature(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.SMS_WEBHOOK_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def webhook_signature_valid(body: bytes, header: str | None) -> bool:
    if not header or not settings.SMS_WEBHOOK_SECRET:
        return False
    given = header.strip()
    if not given.startswith("sha256="):
        given = "sha256=" + given
    return hmac.compare_digest(given, webhook_signature(body))
