"""Thin Celery tasks of campaigns: ids in, one service call, a small result for the log.

The broadcast sending tasks are messaging.tasks' (they send); their names keep the
campaigns. prefix, which the beat schedule and the queue routes know them by."""

from celery import shared_task
from django.core.cache import cache

from . import flows, group_uploads

# A periodic run that overlaps the previous one would only do the same work twice;
# the lock expires on its own if a worker dies holding it.
PERIODIC_LOCK_SECONDS = 300


@shared_task(name="campaigns.group_upload_run", acks_late=True)
def group_upload_run_task(upload_id: int) -> dict:
    return group_uploads.group_upload_run(upload_id=upload_id)


@shared_task(name="campaigns.flows_expire_pending")
def flows_expire_pending() -> dict:
    if not cache.add("lock:flows_expire_pending", "1", PERIODIC_LOCK_SECONDS):
        return {"skipped": "another run is in progress"}
    try:
        return flows.flows_expire_pending()
    finally:
        cache.delete("lock:flows_expire_pending")
