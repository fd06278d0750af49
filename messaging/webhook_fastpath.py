"""The lean path of Twilio's webhooks: POST /messaging/channels/<token>/inbound/ and
/status/ answered beside Django.

An aggregator sends a burst of replies after a broadcast as fast as the carrier hands
them over (1,000 a second is the target) and retries what we are slow to answer. The
webhook only verifies, stores one row and answers (messaging/inbound_accept.py); through
Django most of its CPU went to what a provider's request never needs: the middleware
stack (sessions, CSRF, auth, messages, CSP, tenancy, axes), the URL resolver and an
ORM lookup of the number on every request. `InboundWebhooks` wraps the WSGI
application (config/wsgi.py) and answers a Twilio number's webhooks itself with the
same code as the view (`channel_webhooks.webhook_accept`: the provider module's
verify and parse, the same checks, `inbound_accept` and its one INSERT in
autocommit) and the same answer: the empty TwiML, its content type and length, and the
headers the security, clickjacking and CSP middleware would add (core/lean_wsgi.py).

Anything it cannot answer exactly as Django would goes to Django unchanged (the body it
read is handed on), so every refusal keeps one code path and one log line: an unknown
or inactive token, another provider (Telnyx, Bandwidth), a missing or wrong signature,
a body that is not Twilio's form, over the cap, or with a text the checks refuse, a
query string, a host outside ALLOWED_HOSTS, plain HTTP under SECURE_SSL_REDIRECT, and
any error on the way.

The number's row and decrypted credentials are kept in process memory for
CHANNEL_MEMORY_SECONDS (5 s): at 1,000 texts a second the lookup and the Fernet
decryption were a third of the webhook's CPU. Why that is safe: a deactivated number
is refused within those seconds (the next lookup finds it inactive and Django answers
404); a changed auth token or number only makes the remembered copy refuse, and every
refusal is answered by Django, which reads the row afresh, so a request signed with
the new token is never lost; what a stale copy can do is accept, for those seconds,
a text correctly signed for a number that was just switched off, which is stored for
the number's own company like any text it received.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.http.request import HttpHeaders
from django.test.signals import setting_changed

from core.lean_wsgi import (
    StartResponse,
    WSGIApp,
    answerable,
    in_request_cycle,
    is_secure,
    referrer_policy,
    security_headers,
    sts_headers,
)

from .channel_webhooks import (
    EMPTY_TWIML,
    TWIML_CONTENT_TYPE,
    WebhookRefused,
    webhook_accept,
    webhook_channel,
    webhook_credentials,
)
from .models import Channel
from .providers.base import Credentials, PayloadError, StatusUpdate, WebhookRequest, public_url
from .receipts import message_status_apply
from .webhooks import WEBHOOK_MAX_BODY_BYTES

logger = logging.getLogger(__name__)

# The URLs of messaging/urls.py (mounted at /messaging/ in config/urls.py); a test
# checks them against reverse(). A token is a UUID: anything else is Django's 404.
_PATH = re.compile(r"^/messaging/channels/([0-9A-Fa-f-]{32,36})/(inbound|status)/$")
_BODY = EMPTY_TWIML.encode()

# How long a number's row and credentials are believed without reading them again.
CHANNEL_MEMORY_SECONDS = 5.0
_CHANNELS_MAX = 1024
# token → (believed until, channel, credentials)
_channels: dict[str, tuple[float, Channel, Credentials]] = {}

_headers: list[tuple[str, str]] | None = None


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _headers
    _headers = None


def channels_forget() -> None:
    """Forget every remembered number (tests; a process that must re-read at once)."""
    _channels.clear()


def _answer_headers() -> list[tuple[str, str]]:
    """HttpResponse(EMPTY_TWIML, content_type="text/xml") after the middleware: the
    length CommonMiddleware sets, SessionMiddleware's Vary, then what
    SecurityMiddleware, XFrameOptions and CSP add."""
    global _headers
    if _headers is None:
        headers = [
            ("Content-Type", TWIML_CONTENT_TYPE),
            ("Content-Length", str(len(_BODY))),
            # The view's answer carries it because a middleware reads the (empty)
            # session; kept so both paths answer the same.
            ("Vary", "Cookie"),
            *security_headers(),
        ]
        if referrer := referrer_policy():
            headers.append(("Referrer-Policy", referrer))
        _headers = headers
    return _headers


class _Request:
    """Enough of an HttpRequest for `providers.base.public_url` (the URL Twilio signed):
    the path (no script name, no query string: those go to Django), META and scheme."""

    __slots__ = ("META", "scheme")

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ
        self.scheme = "https" if is_secure(environ) else "http"

    def get_full_path(self) -> str:
        return self.META["PATH_INFO"]


def _remembered(token: str) -> tuple[Channel, Credentials]:
    """The active number and its credentials, from memory when read in the last
    CHANNEL_MEMORY_SECONDS (raises WebhookRefused as the view's lookup does)."""
    now = time.monotonic()
    known = _channels.get(token)
    if known is not None and known[0] > now:
        return known[1], known[2]
    channel = webhook_channel(token)
    creds = webhook_credentials(channel)
    if len(_channels) >= _CHANNELS_MAX:
        _channels.clear()
    _channels[token] = (now + CHANNEL_MEMORY_SECONDS, channel, creds)
    return channel, creds


def _accept(
    environ: dict[str, Any], token: str, path: str, body: bytes
) -> tuple[Channel, list[StatusUpdate]] | None:
    """Verify, parse and store; (channel, receipts to apply), or None for Django."""
    try:
        channel, creds = _remembered(token)
    except WebhookRefused:
        return None  # Django's 404 or 403, and its log line
    if channel.provider != Channel.Provider.TWILIO:
        return None  # Telnyx and Bandwidth answer JSON: the view's
    webhook = WebhookRequest(
        url=public_url(_Request(environ), settings.PUBLIC_BASE_URL),
        body=body,
        headers=HttpHeaders(environ),
    )
    try:
        _received, updates = webhook_accept(channel, webhook, creds, path=path)
    except (WebhookRefused, PayloadError, ValueError):
        return None  # refused before anything was stored: Django says why
    return channel, updates


class InboundWebhooks:
    """WSGI middleware: Twilio's webhooks answered in front of Django's application."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = _PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                answer = self._webhook(environ, match.group(1), match.group(2))
                if answer is not None:
                    start_response("200 OK", answer)
                    return [_BODY]
        return self.application(environ, start_response)

    def _webhook(
        self, environ: dict[str, Any], token: str, path: str
    ) -> list[tuple[str, str]] | None:
        """The answer's headers, or None to let Django answer (with the body restored)."""
        if environ.get("QUERY_STRING") or environ.get("SCRIPT_NAME"):
            return None  # the signed URL has more than the path: Django's request rebuilds it
        if not answerable(environ):
            return None
        try:
            declared = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 <= declared <= WEBHOOK_MAX_BODY_BYTES:
            return None  # Django's 413
        body = environ["wsgi.input"].read(declared)
        # Whatever happens next, Django can still read the request as it came.
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            accepted = in_request_cycle(
                InboundWebhooks, _accept, environ=environ, token=token, path=path, body=body
            )
            if accepted is None:
                return None
            channel, updates = accepted
            if updates:
                in_request_cycle(InboundWebhooks, _apply, channel=channel, updates=updates)
        except Exception:  # noqa: BLE001 (Django answers it: same view, its own 500 handling)
            # A text stored before the error is stored once: Django's try is a redelivery.
            logger.exception("lean webhook failed; handing the request to Django")
            environ["wsgi.input"] = io.BytesIO(body)
            return None
        return [*_answer_headers(), *sts_headers(environ)]


def _apply(*, channel: Channel, updates: list[StatusUpdate]) -> None:
    for update in updates:
        message_status_apply(channel=channel, update=update)
