"""The periodic task of profile analyses (a run itself is a job: core.job_run)."""

from celery import shared_task

from core.locks import periodic

from . import analyses

PERIODIC_LOCK_SECONDS = 600


@shared_task(name="reports.analyses_run_due")
# Overlapping runs would only queue the same analyses twice.
@periodic(lock="lock:analyses_run_due", timeout=PERIODIC_LOCK_SECONDS)
def analyses_run_due() -> dict:
    return analyses.analyses_run_due()
