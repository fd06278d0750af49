"""The Celery app and its three queues.

- priority: one message at a time to a person who is talking to us (chat, replies, HELP
  answers, opt-out receipts): never stuck behind a million-recipient broadcast.
- bulk: broadcast fan-out and batch delivery.
- background: exports, uploads, bulk opt-outs, analyses and the periodic sweeps.

`messaging.message_deliver` serves both replies and other single messages, so its
callers choose the queue by message type (`messaging.tasks.delivery_queue`); the table
below routes every other task by name. CELERY_QUEUE=<name> puts every task on that one
queue instead, for a single pool of workers (the benchmarks do this).
"""

import logging
import os
import time
from typing import Any

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

PRIORITY, BULK, BACKGROUND = "priority", "bulk", "background"
QUEUES = (PRIORITY, BULK, BACKGROUND)

TASK_QUEUES = {
    "messaging.message_deliver": BULK,  # replies pass queue=PRIORITY when they apply it
    "messaging.messages_deliver": BULK,
    # An incoming text is classified (and a STOP applied) ahead of broadcast traffic.
    "messaging.message_classify": PRIORITY,
    "campaigns.broadcast_generate": BULK,
    "campaigns.broadcast_send_chunk": BULK,
}

app = Celery("shortcode")
app.config_from_object("django.conf:settings", namespace="CELERY")


def single_queue() -> str | None:
    """The one queue of a one-queue deployment (CELERY_QUEUE set), else None."""
    default = app.conf.task_default_queue
    return None if default in QUEUES else default


def queue_for(kind: str) -> str:
    return single_queue() or kind


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any):
    """Celery router: the queue of a task by name; background for anything unlisted."""
    return {"queue": queue_for(TASK_QUEUES.get(name, BACKGROUND))}


@app.on_after_configure.connect
def _declare_queues(sender: Celery, **kwargs: Any) -> None:
    # Declared so that a worker started without -Q consumes all three.
    if single_queue() is None:
        sender.conf.task_queues = [Queue(name) for name in QUEUES]


logger = logging.getLogger(__name__)
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


app.conf.task_routes = (route_task,)
app.autodiscover_tasks()
