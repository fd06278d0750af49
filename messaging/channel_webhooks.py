"""Each sending number's provider webhooks: /messaging/channels/<token>/inbound/ and
/messaging/channels/<token>/status/. No login: each request is verified with that
number's own credentials by its provider's module (messaging/providers/).

The token names the channel; the provider's signature (Twilio, Telnyx) or the Basic
credentials set on the number (Bandwidth) prove the request. Refusals store nothing:
404 for a token that names no active provider number, 413 for a body over the cap,
403 for a missing or wrong signature, 400 for a body that is not the provider's shape
or holds control characters, 422 for a text sent to another number than the channel's.

Telnyx and Bandwidth post every event of a number to one URL, so both endpoints read
both inbound texts and receipts for them; Twilio's two forms are told apart by URL.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.text_rules import text_problem

from .credentials import CredentialsUnreadable, provider_credentials
from .inbound_accept import inbound_accept
from .models import Channel
from .providers import PROVIDERS
from .providers.base import (
    Credentials,
    InboundText,
    PayloadError,
    SignatureError,
    StatusUpdate,
    WebhookRequest,
    webhook_request_from_django,
)
from .receipts import message_status_apply
from .routing import number_normalize
from .webhooks import TEXT_MAX_LENGTH, WEBHOOK_MAX_BODY_BYTES

logger = logging.getLogger(__name__)

# Twilio reads the answer to an inbound text as TwiML: an empty Response sends nothing.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWIML_CONTENT_TYPE = "text/xml"


class WebhookRefused(Exception):
    """A request refused before anything is stored: its HTTP status and why."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def webhook_channel(token: str) -> Channel:
    """The active provider number the token names (WebhookRefused 404 otherwise)."""
    try:
        wanted = uuid.UUID(token)
    except ValueError:
        raise WebhookRefused("no such number", 404) from None
    channel = (
        Channel.objects.filter(webhook_token=wanted, active=True)
        .exclude(provider=Channel.Provider.GENERIC)
        .select_related("company")
        .first()
    )
    if channel is None:
        raise WebhookRefused("no such number", 404)
    return channel


def webhook_credentials(channel: Channel) -> Credentials:
    """The number's decrypted credentials (WebhookRefused 403 when no key reads them)."""
    try:
        creds = provider_credentials(channel.provider, channel.decrypted_credentials())
    except CredentialsUnreadable as exc:
        logger.error("channel %s: %s", channel.pk, exc)
        raise WebhookRefused("the number's credentials cannot be read", 403) from exc
    if creds is None:  # the generic aggregator has no provider module: never found above
        raise WebhookRefused("no such number", 404)
    return creds


def body_size_check(declared: int, body: bytes) -> None:
    if declared > WEBHOOK_MAX_BODY_BYTES or len(body) > WEBHOOK_MAX_BODY_BYTES:
        raise WebhookRefused(f"the body is larger than {WEBHOOK_MAX_BODY_BYTES} bytes", 413)


def _checked(channel: Channel, text: InboundText) -> InboundText:
    """The text, or a refusal: another number's text, or one the text rule refuses."""
    # The number as stored is already normalised: most providers send it spelled so.
    if text.to_number != channel.number and number_normalize(text.to_number) != channel.number:
        raise WebhookRefused(f"the text was sent to {text.to_number!r}, not to this number", 422)
    for name, value, multiline in (
        ("Body", text.text, True),
        ("From", text.from_number, False),
        ("MessageId", text.external_id, False),
    ):
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise WebhookRefused(f"{name} contains {problem}", 400)
    if len(text.text) > TEXT_MAX_LENGTH:
        raise WebhookRefused(f"the text is longer than {TEXT_MAX_LENGTH} characters", 400)
    return text


def _accept(channel: Channel, text: InboundText) -> dict:
    stored = inbound_accept(
        phone=text.from_number,
        body=text.text,
        to=channel.number,
        gateway_message_id=text.external_id,
        gateway=channel.provider,
        # One link is stored per message; an MMS's further media stay at the provider.
        media_url=text.media_urls[0] if text.media_urls else "",
        received_at=text.received_at,
        provider_opt_out=text.provider_opt_out,
        channel=channel,
    )
    # Classified by a worker after this answer (messaging.inbound_accept).
    return {"id": stored.message_id, "redelivered": stored.redelivered}


def _receive(channel: Channel, texts: list[InboundText]) -> list[dict]:
    # Every text is checked before any is stored: a refusal stores nothing.
    texts = [_checked(channel, text) for text in texts]
    if len(texts) == 1:
        # One INSERT in autocommit: a transaction around it would only add its BEGIN
        # and COMMIT round trips to every webhook (the classification is published
        # once the row is committed, which here is at once).
        return [_accept(channel, texts[0])]
    # One transaction for a provider's batch (Bandwidth posts arrays): all stored or none.
    with transaction.atomic():
        return [_accept(channel, text) for text in texts]


def webhook_accept(
    channel: Channel, webhook: WebhookRequest, creds: Credentials, *, path: str
) -> tuple[list[dict], list[StatusUpdate]]:
    """Verify a provider's request, parse it and store its texts: (what was stored, the
    receipts to apply). Raises WebhookRefused, PayloadError or ValueError (the answer
    is then that refusal and nothing was stored)."""
    provider = PROVIDERS[channel.provider]
    try:
        provider.verify(webhook, creds)
    except SignatureError as exc:
        raise WebhookRefused(exc.reason, 403) from exc
    separate_urls = channel.provider == Channel.Provider.TWILIO
    texts = provider.parse_inbound(webhook) if path == "inbound" or not separate_urls else []
    updates = provider.parse_status(webhook) if path == "status" or not separate_urls else []
    return _receive(channel, texts), updates


def _handle(request: HttpRequest, token: str, *, path: str) -> HttpResponse:
    try:
        channel = webhook_channel(token)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        body_size_check(declared, request.body)
        webhook = webhook_request_from_django(request, public_base_url=settings.PUBLIC_BASE_URL)
        received, updates = webhook_accept(
            channel, webhook, webhook_credentials(channel), path=path
        )
    except WebhookRefused as exc:
        logger.warning("webhook %s refused (%s): %s", request.path, exc.status, exc.reason)
        return JsonResponse({"error": exc.reason}, status=exc.status)
    except PayloadError as exc:
        logger.warning("webhook %s refused (400): %s", request.path, exc.reason)
        return JsonResponse({"error": exc.reason}, status=400)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    outcomes = [message_status_apply(channel=channel, update=update) for update in updates]
    if channel.provider == Channel.Provider.TWILIO:
        return HttpResponse(EMPTY_TWIML, content_type=TWIML_CONTENT_TYPE)
    return JsonResponse({"received": received, "receipts": outcomes})


@csrf_exempt
@login_not_required
@require_POST
def channel_inbound(request: HttpRequest, token: str) -> HttpResponse:
    return _handle(request, token, path="inbound")


@csrf_exempt
@login_not_required
@require_POST
def channel_status(request: HttpRequest, token: str) -> HttpResponse:
    return _handle(request, token, path="status")
