"""Thin Celery tasks of reports (exports run as core.job_run, swept by core.jobs_sweep)."""

from celery import shared_task

from core.locks import periodic

from . import rollup
from .analysis_tasks import analyses_run_due  # noqa: F401 (registers the task)

# A roll-up that overlaps the previous one would only compute the same rows twice; the
# lock expires on its own if a worker dies holding it.
ROLL_UP_LOCK_KEY = "lock:dashboards_roll_up"
ROLL_UP_LOCK_SECONDS = 600


@shared_task(name="reports.dashboards_roll_up")
@periodic(lock=ROLL_UP_LOCK_KEY, timeout=ROLL_UP_LOCK_SECONDS)
def dashboards_roll_up() -> dict:
    """Periodic: recompute yesterday and today of every company's dashboard."""
    return rollup.dashboards_roll_up_recent()
