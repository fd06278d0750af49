from celery import shared_task
from django.db import OperationalError

from core.locks import periodic

from . import rollup, services
from .analysis_tasks import analyses_run_due, analysis_run  # noqa: F401 (registers the tasks)

# A roll-up that overlaps the previous one would only compute the same rows twice; the
# lock expires on its own if a worker dies holding it.
ROLL_UP_LOCK_KEY = "lock:dashboards_roll_up"
ROLL_UP_LOCK_SECONDS = 600


@shared_task(name="reports.export_run", bind=True, max_retries=3, acks_late=True)
def export_run(self, *, export_id: int) -> dict:
    """Build one export's CSV. Redelivered after a worker dies (acks_late): the claim in
    `services.export_run` makes a second delivery a no-op while the first is alive."""
    try:
        return services.export_run(export_id=export_id)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(name="reports.exports_restart_stalled")
def exports_restart_stalled() -> dict:
    """Periodic: re-queue or fail exports whose worker stopped (see CELERY_BEAT_SCHEDULE)."""
    return services.exports_restart_stalled()


@shared_task(name="reports.dashboards_roll_up")
@periodic(lock=ROLL_UP_LOCK_KEY, timeout=ROLL_UP_LOCK_SECONDS)
def dashboards_roll_up() -> dict:
    """Periodic: recompute yesterday and today of every company's dashboard."""
    return rollup.dashboards_roll_up_recent()
