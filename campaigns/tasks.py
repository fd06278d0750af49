"""Thin Celery tasks of campaigns (the broadcast and flow tasks live in messaging.tasks)."""

from celery import shared_task

from core.locks import periodic

from . import subscriber_counts

# Two folds at once would be correct (each takes the deltas its snapshot sees) but the
# second waits on the first's row locks for nothing; the lock expires if a worker dies.
FOLD_LOCK_SECONDS = 300


@shared_task(name="campaigns.subscriber_counts_fold")
@periodic(lock="lock:subscriber_counts_fold", timeout=FOLD_LOCK_SECONDS)
def subscriber_counts_fold() -> dict:
    """Periodic: fold the campaigns' subscriber deltas into their counts."""
    return subscriber_counts.subscriber_counts_fold()
