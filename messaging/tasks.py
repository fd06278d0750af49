"""Thin Celery tasks: ids in, one service call, a small result for the log."""

from celery import shared_task

from config.celery import BULK, PRIORITY, queue_for

from . import delivery, in_flight, services
from .models import Message
from .quiet_hours import EXEMPT_TYPES


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
