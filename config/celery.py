"""The Celery app and its three queues (named in core.publish: priority, bulk, background).

`messaging.message_deliver` serves both replies and other single messages, so its
callers choose the queue by message type (`messaging.tasks.delivery_queue`); the table
below routes every other task by name. CELERY_QUEUE=<name> puts every task on that one
queue instead, for a single pool of workers (the benchmarks do this).
"""

import os
from typing import Any

from celery import Celery
from kombu import Queue

# Re-exported: the names the worker, the tests and the benchmarks know this module by.
from core.publish import (  # noqa: F401 (re-exported, as the comment above says)
    BACKGROUND,
    BULK,
    PRIORITY,
    PUBLISH_RETRY_AFTER,
    QUEUES,
    queue_for,
    single_queue,
    task_publish,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

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


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any):
    """Celery router: the queue of a task by name; background for anything unlisted."""
    return {"queue": queue_for(TASK_QUEUES.get(name, BACKGROUND))}


@app.on_after_configure.connect
def _declare_queues(sender: Celery, **kwargs: Any) -> None:
    # Declared so that a worker started without -Q consumes all three.
    if single_queue() is None:
        sender.conf.task_queues = [Queue(name) for name in QUEUES]


app.conf.task_routes = (route_task,)
app.autodiscover_tasks()
