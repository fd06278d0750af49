"""The aggregator's webhooks. No login: each request is authenticated by its signature.

Every refusal is logged and answered with {"error": "..."}: 413 for a body over the cap,
403 for a missing, wrong or stale signature, 400 for a body that is not what the
webhook takes, 422 for a number that is none of our companies'.
"""

import logging
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.text_rules import text_problem

from .inbound_accept import inbound_accept
from .routing import Unroutable, company_for_number
from .services import message_receipt_apply
from .webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_MAX_BODY_BYTES,
    WebhookRefused,
    delivery_receipt_read,
    inbound_text_read,
    webhook_payload,
    webhook_verify,
)

logger = logging.getLogger(__name__)


def _signed_json(request: HttpRequest) -> dict[str, Any]:
    """The verified body as a JSON object, or WebhookRefused."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # The declared length is checked before the body is read; the read length too, for
    # a client that declares none.
    if declared > WEBHOOK_MAX_BODY_BYTES or len(request.body) > WEBHOOK_MAX_BODY_BYTES:
        raise WebhookRefused(f"the body is larger than {WEBHOOK_MAX_BODY_BYTES} bytes", 413)
    webhook_verify(
        body=request.body,
        signature=request.headers.get(SIGNATURE_HEADER),
        timestamp=request.headers.get(TIMESTAMP_HEADER),
    )
    return webhook_payload(request.body)


def _refused(request: HttpRequest, reason: str, status: int) -> JsonResponse:
    logger.warning("webhook %s refused (%s): %s", request.path, status, reason)
    return JsonResponse({"error": reason}, status=status)


def _control_characters_refuse(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload, or a 400 naming the first field with NUL or another C0 control.

    PostgreSQL cannot store NUL, so such a text used to fail with a server error, and
    the aggregator retried it forever. Only `body` may hold line breaks and tabs.
    """
    for name, value in payload.items():
        if isinstance(value, str):
            problem = text_problem(value, multiline=name == "body")
            if problem:
                raise WebhookRefused(f"{name[:40]} contains {problem}", 400)
    return payload


@csrf_exempt
@login_not_required
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """An incoming SMS/MMS: {"id", "from", "to", "body", "media_url"}, answered with
    {"id": our message id, "redelivered": whether that id was stored already}."""
    try:
        text = inbound_text_read(_control_characters_refuse(_signed_json(request)))
        with transaction.atomic():
            stored = inbound_accept(
                phone=text.sender,
                body=text.body,
                to=text.to,
                gateway_message_id=text.id,
                media_url=text.media_url,
            )
    except WebhookRefused as exc:
        return _refused(request, exc.message, exc.status)
    except ValueError as exc:
        return _refused(request, str(exc), 400)
    except Unroutable as exc:
        return _refused(request, str(exc), 422)
    # Stored, and classified by a worker (STOP, keywords, replies) after this answer.
    answer: dict[str, object] = {"id": stored.message_id, "redelivered": stored.redelivered}
    if stored.media_url_refused:
        # The text was stored (a STOP still opts out); only the link was dropped. A
        # 2xx keeps the aggregator from retrying a message we already have.
        answer["media_url_refused"] = stored.media_url_refused
    return JsonResponse(answer)


@csrf_exempt
@login_not_required
@require_POST
def receipts(request: HttpRequest) -> JsonResponse:
    """A delivery receipt: {"id": gateway id, "from": the number it was sent from,
    "status": delivered|failed, "error_code", "error", "bounce": hard|soft}."""
    try:
        receipt = delivery_receipt_read(_control_characters_refuse(_signed_json(request)))
        company = company_for_number(receipt.sender)
    except WebhookRefused as exc:
        return _refused(request, exc.message, exc.status)
    except Unroutable as exc:
        return _refused(request, str(exc), 422)
    outcome = message_receipt_apply(
        company=company,
        gateway_message_id=receipt.id,
        status=receipt.status,
        error_code=receipt.error_code,
        error=receipt.error,
        bounce=receipt.bounce,
    )
    return JsonResponse({"outcome": outcome})
