"""Thin Celery tasks for profile analyses (imported by reports.tasks for discovery)."""

from celery import shared_task

from core.locks import periodic

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
# Overlapping runs would only queue the same analyses twice.
@periodic(lock="lock:analyses_run_due", timeout=PERIODIC_LOCK_SECONDS)
def analyses_run_due() -> dict:
    return analyses.analyses_run_due()
