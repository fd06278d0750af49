"""Thin Celery tasks for profile analyses (imported by reports.tasks for discovery)."""

from celery import shared_task
from django.core.cache import cache

from . import analyses
from .models import ProfileAnalysis

PERIODIC_LOCK_SECONDS = 600


@shared_task(name="reports.analysis_run", acks_late=True)
def analysis_run(analysis_id: int) -> dict:
    analysis = ProfileAnalysis.objects.filter(pk=analysis_id).first()
    if analysis is None:
        return {"analysis": analysis_id, "skipped": "deleted"}
    run = analyses.analysis_run(analysis=analysis)
    return {"analysis": analysis_id, "group_size": run.group_size}


@shared_task(name="reports.analyses_run_due")
def analyses_run_due() -> dict:
    # Overlapping runs would only queue the same analyses twice; the lock expires on
    # its own if the worker holding it dies.
    if not cache.add("lock:analyses_run_due", "1", PERIODIC_LOCK_SECONDS):
        return {"skipped": "another run is in progress"}
    try:
        return analyses.analyses_run_due()
    finally:
        cache.delete("lock:analyses_run_due")
