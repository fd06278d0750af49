"""Publishing Celery tasks: the queue names, the queue of a task and a guarded publish.

- priority: one message at a time to a person who is talking to us (chat, replies, HELP
  answers, opt-out receipts): never stuck behind a million-recipient broadcast.
- bulk: broadcast fan-out and batch delivery.
- background: exports, uploads, bulk opt-outs, analyses and the periodic sweeps.

Kept out of config.celery so the apps that publish tasks (messaging above all) need
nothing from the project package; config.celery builds the app and its router on these.
"""

import logging
import time
from typing import Any

from celery import current_app

PRIORITY, BULK, BACKGROUND = "priority", "bulk", "background"
QUEUES = (PRIORITY, BULK, BACKGROUND)

logger = logging.getLogger(__name__)


def single_queue() -> str | None:
    """The one queue of a one-queue deployment (CELERY_QUEUE set), else None."""
    default = current_app.conf.task_default_queue
    return None if default in QUEUES else default


def queue_for(kind: str) -> str:
    return single_queue() or kind


# After a publish fails, web requests stop trying the broker for this long: a request
# that stores its work in the database (a text to classify, a message to send) answers
# at once and a sweep publishes it when the broker is back.
PUBLISH_RETRY_AFTER = 5.0
_publish_down_until = 0.0


def task_publish(task: Any, args: tuple, **options: Any) -> bool:
    """Publish `task` from a web request; False when the broker cannot take it.

    The caller's work is already in the database and a periodic sweep finds what was
    not published (messages_classify_stalled, messages_queue_due), so a broker outage
    must not fail or stall the request. In-process (eager) runs are not guarded: a
    task's own error is the caller's, as everywhere in the quick start and the tests.
    """
    global _publish_down_until
    if task.app.conf.task_always_eager:
        task.apply_async(args, **options)
        return True
    if time.monotonic() < _publish_down_until:
        return False
    try:
        task.apply_async(args, **options)
    except Exception:  # kombu, redis and socket errors alike: the broker is unreachable
        _publish_down_until = time.monotonic() + PUBLISH_RETRY_AFTER
        logger.warning("Broker unreachable: %s not published", task.name, exc_info=True)
        return False
    return True
