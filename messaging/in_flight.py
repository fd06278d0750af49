"""Messages in flight: claimed before the provider is called, reconciled after a crash.

The guarantee (docs/architecture.md, "Sending"): at most once, and exactly once where
the provider can be asked what it took (Twilio).

1. `in_flight_claim` marks the messages it is about to send (`sending_started_at`,
   attempts + 1) in one UPDATE that commits before any request leaves. Only Queued
   messages that are not in flight can be claimed, so no second worker, redelivered
   task or retry sends a claimed message again.
2. When the answers are in, the delivery code writes Sent or the failure and clears the
   mark; a throttled message is handed back with `in_flight_release` (no attempt
   counted) to be queued again.
3. A worker that dies between 1 and 2 leaves its claimed messages marked.
   `messages_reconcile_in_flight` (periodic) finds those marked longer than
   SMS_IN_FLIGHT_TIMEOUT_SECONDS ago and settles each one: a provider id already known
   (a receipt named it) makes it Sent; otherwise the gateway's `lookup` is asked:
   found → Sent with the provider's id; surely not taken → released and queued again;
   cannot say (Telnyx, Bandwidth, the generic gateway) → Failed Permanently, "Outcome
   unknown after a worker crash": never resent, so never texted twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.model_fields import column_of

from .gateways import get_gateway
from .models import Message

logger = logging.getLogger(__name__)

OUTCOME_UNKNOWN = "Outcome unknown after a worker crash"
RECONCILE_BATCH = 500


def in_flight_claim(ids: Sequence[int], fields: Sequence[str]) -> list[tuple[Any, ...]]:
    """Mark the Queued, not-in-flight messages among `ids` as in flight; their `fields`.

    Call it outside any transaction: the mark must be committed before the requests.
    `attempts` in the rows returned already counts this attempt.
    """
    now = timezone.now()
    return _claim_returning(list(ids), fields, now)


def _claim_returning(ids: list[int], fields: Sequence[str], now: dt.datetime) -> list[tuple]:
    """The same claim in one statement (one round trip a slice, not three)."""
    meta = Message._meta
    columns = ", ".join(
        "m." + connection.ops.quote_name(column_of(Message, name)) for name in fields
    )
    table = connection.ops.quote_name(meta.db_table)
    sql = (
        f"UPDATE {table} AS m SET sending_started_at = %s, attempts = m.attempts + 1, "  # noqa: S608 (names from the model)
        f"updated_at = %s WHERE m.id IN (SELECT id FROM {table} WHERE id = ANY(%s) "
        "AND status = %s AND direction = %s AND sending_started_at IS NULL "
        # Skip-locked: a copy of this batch running elsewhere (a redelivered task) skips
        # the rows this one is claiming instead of waiting for them.
        f"FOR UPDATE SKIP LOCKED) RETURNING {columns}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, ids, Message.Status.QUEUED, Message.Direction.MT])
        rows = cursor.fetchall()
    pk_at = list(fields).index("pk")
    return sorted(rows, key=lambda row: row[pk_at])


def in_flight_release(ids: Sequence[int]) -> int:
    """Hand claimed messages back to the queue uncounted (the provider did not take them)."""
    if not ids:
        return 0
    return Message.objects.filter(
        pk__in=list(ids), status=Message.Status.QUEUED, sending_started_at__isnull=False
    ).update(sending_started_at=None, attempts=F("attempts") - 1, updated_at=timezone.now())


def _stuck(now: dt.datetime, timeout: float):
    return Message.objects.filter(
        direction=Message.Direction.MT,
        status=Message.Status.QUEUED,
        sending_started_at__lt=now - dt.timedelta(seconds=timeout),
    )


def messages_reconcile_in_flight(
    *, now: dt.datetime | None = None, timeout: float | None = None, gateway: Any = None
) -> dict[str, int]:
    """Settle messages whose worker died in flight (see the module docstring)."""
    from .services import _enqueue  # services imports the delivery path, which imports this

    now = now or timezone.now()
    timeout = settings.SMS_IN_FLIGHT_TIMEOUT_SECONDS if timeout is None else timeout
    gateway = gateway or get_gateway()
    lookup = getattr(gateway, "lookup", None)
    outcomes = {"sent": 0, "requeued": 0, "failed": 0}
    stuck = list(_stuck(now, timeout).select_related("attachment").order_by("pk")[:RECONCILE_BATCH])
    requeue: list[int] = []
    for message in stuck:
        known = message.gateway_message_id
        if not known and lookup is not None:
            found = lookup(message, since=message.sending_started_at)
        else:
            found = known or None
        # Conditional on the mark read here: a late answer from a live worker wins.
        claimed = Message.objects.filter(
            pk=message.pk,
            status=Message.Status.QUEUED,
            sending_started_at=message.sending_started_at,
        )
        if found:
            changed = claimed.update(
                status=Message.Status.SENT,
                sent_at=message.sending_started_at,
                gateway_message_id=found[:100],
                sending_started_at=None,
                status_reason="",
                updated_at=timezone.now(),
            )
            outcomes["sent"] += changed
        elif found == "":
            if claimed.update(
                sending_started_at=None, attempts=F("attempts") - 1, updated_at=timezone.now()
            ):
                requeue.append(message.pk)
        else:
            outcomes["failed"] += claimed.update(
                status=Message.Status.FAILED,
                status_reason=OUTCOME_UNKNOWN,
                sending_started_at=None,
                updated_at=timezone.now(),
            )
    if requeue:
        with transaction.atomic():
            _enqueue(requeue)
        outcomes["requeued"] = len(requeue)
    if any(outcomes.values()):
        logger.warning("reconciled messages in flight after a worker crash: %s", outcomes)
    return outcomes
