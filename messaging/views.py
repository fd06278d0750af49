"""The aggregator's webhooks. No login: each request is authenticated by its signature."""

import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .inbound import Unroutable, message_receive
from .services import message_receipt_apply
from .webhooks import SIGNATURE_HEADER, webhook_signature_valid

logger = logging.getLogger(__name__)


def _signed_json(request: HttpRequest) -> dict | JsonResponse:
    if not webhook_signature_valid(request.body, request.headers.get(SIGNATURE_HEADER)):
        return JsonResponse({"error": "invalid signature"}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "the body must be a JSON object"}, status=400)
    return payload


@csrf_exempt
@login_not_required
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """An incoming SMS/MMS: {"from", "to", "body", "id", "media_url", "company"}."""
    payload = _signed_json(request)
    if isinstance(payload, JsonResponse):
        return payload
    if not payload.get("from"):
        return JsonResponse({"error": "from is required"}, status=400)
    try:
        result = message_receive(
            phone=str(payload["from"]),
            body=str(payload.get("body") or ""),
            to=str(payload.get("to") or ""),
            gateway_message_id=str(payload.get("id") or ""),
            media_url=str(payload.get("media_url") or ""),
            company_key=str(payload.get("company") or ""),
        )
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except Unroutable as exc:
        logger.warning("unroutable MO: %s", exc)
        return JsonResponse({"error": str(exc)}, status=422)
    answer = {
        "id": result.message.pk,
        "type": result.message.message_type,
        "replies": [m.pk for m in result.replies],
    }
    if result.media_url_refused:
        # The text was stored and processed (a STOP still opts out); only the link was
        # dropped. A 2xx keeps the aggregator from retrying a message we already have.
        answer["media_url_refused"] = result.media_url_refused
    return JsonResponse(answer)


@csrf_exempt
@login_not_required
@require_POST
def receipts(request: HttpRequest) -> JsonResponse:
    """A delivery receipt: {"id": gateway id, "status": delivered|failed, "error_code",
    "error", "bounce": hard|soft}."""
    payload = _signed_json(request)
    if isinstance(payload, JsonResponse):
        return payload
    if not payload.get("id") or payload.get("status") not in ("delivered", "failed"):
        return JsonResponse({"error": "id and status (delivered|failed) are required"}, status=400)
    outcome = message_receipt_apply(
        gateway_message_id=str(payload["id"]),
        status=payload["status"],
        error_code=str(payload.get("error_code") or ""),
        error=str(payload.get("error") or ""),
        bounce=str(payload.get("bounce") or ""),
    )
    return JsonResponse({"outcome": outcome})
