"""Thin Celery tasks for broadcasts: ids in, one service call, a small result for the log."""

from celery import shared_task

from core.locks import periodic

from . import broadcasts, flows

# A periodic run that overlaps the previous one would only do the same work twice;
# the lock expires on its own if a worker dies holding it.
PERIODIC_LOCK_SECONDS = 300


@shared_task(name="campaigns.broadcast_generate", acks_late=True)
def broadcast_generate(broadcast_id: int) -> dict:
    return broadcasts.broadcast_generate(broadcast_id=broadcast_id)


@shared_task(name="campaigns.broadcast_send_chunk", acks_late=True)
def broadcast_send_chunk(chunk_id: int) -> dict:
    return broadcasts.broadcast_send_chunk(chunk_id=chunk_id)


@shared_task(name="campaigns.broadcasts_send_due")
@periodic(lock="lock:broadcasts_send_due", timeout=PERIODIC_LOCK_SECONDS)
def broadcasts_send_due() -> dict:
    return broadcasts.broadcasts_send_due()


@shared_task(name="campaigns.flows_expire_pending")
@periodic(lock="lock:flows_expire_pending", timeout=PERIODIC_LOCK_SECONDS)
def flows_expire_pending() -> dict:
    return flows.flows_expire_pending()
