"""Thin Celery tasks: ids in, one service call, a small result for the log."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from core.locks import periodic
from core.publish import BULK, PRIORITY, queue_for

from . import broadcast_sending, delivery, flows, in_flight, inbound, revocation_services, services
from .inbound_store import messages_awaiting_classification
from .models import Message
from .quiet_hours import EXEMPT_TYPES

# A periodic run that overlaps the previous one would only do the same work twice;
# the lock expires on its own if a worker dies holding it.
PERIODIC_LOCK_SECONDS = 300


def delivery_queue(message_type: str, *, is_reply: bool = False) -> str:
    """Replies to a person (an answer to their text, or a type quiet hours exempt)
    jump the broadcast traffic."""
    return queue_for(PRIORITY if is_reply or message_type in EXEMPT_TYPES else BULK)


@shared_task(name="messaging.message_deliver", acks_late=True)
def message_deliver(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)


@shared_task(name="messaging.messages_deliver", acks_late=True)
def messages_deliver(message_ids: list[int]) -> dict[str, int]:
    # Queued ones only: a scheduled (Initial) message is queued by messages_queue_due.
    return delivery.messages_deliver_batch(messages=Message.objects.filter(pk__in=message_ids))


@shared_task(name="messaging.messages_reconcile_in_flight")
def messages_reconcile_in_flight() -> dict[str, int]:
    return in_flight.messages_reconcile_in_flight()


@shared_task(name="messaging.messages_queue_due")
def messages_queue_due() -> dict[str, int]:
    return services.messages_queue_due()


# Overlapping guard runs would only decide the same items twice (each is locked and
# re-checked, so it stays correct); the lock expires on its own if a worker dies.
REVOCATIONS_LOCK_SECONDS = 300


@shared_task(name="messaging.revocations_enforce")
@periodic(lock="lock:revocations_enforce", timeout=REVOCATIONS_LOCK_SECONDS)
def revocations_enforce() -> dict[str, int | str]:
    """Periodic: escalate review items near their due date and opt out those due."""
    return dict(revocation_services.revocations_enforce())


@shared_task(name="messaging.message_classify", acks_late=True)
def message_classify(message_id: int) -> str:
    result = inbound.message_classify(message_id=message_id)
    return result.message.message_type if result else "already classified"


@shared_task(name="messaging.messages_classify_stalled")
@periodic(lock="lock:messages_classify_stalled", timeout=PERIODIC_LOCK_SECONDS)
def messages_classify_stalled() -> dict[str, int | str]:
    """Queue again the texts stored by a webhook but never classified: the broker was
    away when the webhook published their task, or a worker died holding it."""
    stall = settings.INBOUND_CLASSIFY_STALL_SECONDS
    ids = messages_awaiting_classification(older_than=timedelta(seconds=stall))
    # After a burst the texts may only be waiting their turn in the priority queue:
    # each is queued again at most once per stall period, so a deep backlog is not
    # copied into the queue every minute.
    recent = cache.get_many([f"classify-requeued:{pk}" for pk in ids])
    ids = [pk for pk in ids if f"classify-requeued:{pk}" not in recent]
    for message_id in ids:
        message_classify.apply_async((message_id,), queue=queue_for(PRIORITY))
    cache.set_many({f"classify-requeued:{pk}": 1 for pk in ids}, max(stall, 60))
    return {"queued": len(ids)}


# The broadcast and flow tasks keep their campaigns. names (beat schedule, queue routes, tasks
# already queued) though the sending moved here.
@shared_task(name="campaigns.broadcast_generate", acks_late=True)
def broadcast_generate(broadcast_id: int) -> dict:
    return broadcast_sending.broadcast_generate(broadcast_id=broadcast_id)


@shared_task(name="campaigns.broadcast_send_chunk", acks_late=True)
def broadcast_send_chunk(chunk_id: int) -> dict:
    return broadcast_sending.broadcast_send_chunk(chunk_id=chunk_id)


@shared_task(name="campaigns.broadcasts_send_due")
@periodic(lock="lock:broadcasts_send_due", timeout=PERIODIC_LOCK_SECONDS)
def broadcasts_send_due() -> dict:
    return broadcast_sending.broadcasts_send_due()


@shared_task(name="campaigns.flows_expire_pending")
@periodic(lock="lock:flows_expire_pending", timeout=PERIODIC_LOCK_SECONDS)
def flows_expire_pending() -> dict:
    return flows.flows_expire_pending()
