"""The webhooks' fast path: store the text, queue its classification, answer.

An aggregator waits for our answer and retries whatever is slow (Twilio gives up after
15 s): classifying a text (profile, keywords, opt-out, replies) takes a dozen queries,
so the webhook does one INSERT (`inbound_store`) and leaves the rest to a worker on the
`priority` queue (`messaging.message_classify`). Without a broker (no REDIS_URL) the
task runs in-process before the answer, as every task does there.

Publishing never fails the webhook: the text is stored, so when the broker cannot be
reached the task is simply not sent and `messaging.messages_classify_stalled` queues
the text once the broker is back (it looks for texts left unclassified).
"""

from __future__ import annotations

import logging

from django.db import transaction

from core.publish import PRIORITY, queue_for, task_publish

from . import tasks
from .inbound_store import InboundStored, inbound_store

logger = logging.getLogger(__name__)


def message_classify_later(message_id: int) -> None:
    """Queue the classification of a stored MO (after the current transaction commits)."""

    def publish() -> None:
        if not task_publish(tasks.message_classify, (message_id,), queue=queue_for(PRIORITY)):
            # The message is stored and stays unclassified: the sweep queues it again.
            logger.warning("MO %s: classification not queued (broker unavailable)", message_id)

    if tasks.message_classify.app.conf.task_always_eager:
        # In-process: the same connection already sees the row, so there is nothing to
        # wait for (and inside a test's transaction a commit hook would never run).
        publish()
    else:
        # A worker must find the row: publish once it is committed.
        transaction.on_commit(publish)


def inbound_accept(**fields) -> InboundStored:
    """Store one incoming message (`inbound_store`'s arguments) and, unless it was
    stored already, queue its classification."""
    stored = inbound_store(**fields)
    if not stored.redelivered:
        message_classify_later(stored.message_id)
    return stored
