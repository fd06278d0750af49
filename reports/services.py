"""Writes of the reports app: starting and running exports (jobs of core.jobs)."""

import logging
import tempfile
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction

from accounts.models import Company
from core.jobs import SWEEP_LOCK, JobContext, JobType, job_enqueue, job_execute, jobs_sweep
from core.jobs import register_job_type as register_job

from .exports import export_type_for
from .exports.writer import write_csv
from .models import Export

logger = logging.getLogger(__name__)

EXPORT_JOB = "reports.export"
# The sweep of every job kind holds this lock (it was the export sweep's own).
RESTART_LOCK_KEY = SWEEP_LOCK


@register_job
class ExportJob(JobType):
    """Every CSV export: the `reports.exports` type of its `kind` says what to write."""

    kind = EXPORT_JOB
    model = Export
    select_related = ("company",)

    @property
    def max_attempts(self) -> int:  # type: ignore[override]
        return settings.EXPORT_MAX_ATTEMPTS

    @property
    def stall_seconds(self) -> int:  # type: ignore[override]
        # A running export touches heartbeat_at every few seconds; one silent this
        # long lost its worker.
        return settings.EXPORT_STALL_SECONDS

    @property
    def pending_stall_seconds(self) -> int:  # type: ignore[override]
        return settings.EXPORT_PENDING_STALL_SECONDS

    def run(self, job: Export, ctx: JobContext) -> dict[str, Any]:
        export_type = export_type_for(job.kind)
        total = export_type.count(job)
        ctx.progress(0, total=total)
        every = max(1000, min(50_000, total // 100 or 1))
        with tempfile.TemporaryFile(suffix=".csv", buffering=1 << 20) as out:
            rows = write_csv(
                header=export_type.header(job),
                rows=export_type.rows(job),
                out=out,
                on_progress=lambda done: ctx.progress(done=done, total=total),
                every=every,
            )
            out.seek(0)
            ctx.save_results(export_type.filename(job), File(out))
        ctx.store(row_count=rows, total_rows=rows)
        return {"export": job.pk, "rows": rows}

    def failure_message(self, job: Export, exc: Exception) -> str:
        return f"The export failed: {exc}"

    def stalled_message(self, job: Export) -> str:
        return (
            f"The export stopped responding after {job.attempts} attempts "
            "(its worker was lost). Please start it again."
        )

    def skipped(self, job_id: int) -> dict[str, Any]:
        return {"export": job_id, "skipped": "not pending"}

    def failed(self, job: Export, exc: Exception) -> dict[str, Any]:
        return {"export": job.pk, "failed": str(exc)}


def export_create(
    *,
    company: Company,
    requested_by: User | None,
    kind: str,
    name: str,
    config: dict[str, Any],
) -> Export:
    """Record an export and queue it for a worker (never built in the web request)."""
    export_type_for(kind)  # an unknown kind fails here, not later in a worker
    with transaction.atomic():
        export = Export.objects.create(
            company=company,
            requested_by=requested_by,
            kind=kind,
            name=name[:200],
            config=config,
        )
        job_enqueue(EXPORT_JOB, export.pk)
    return export


def export_run(*, export_id: int) -> dict[str, Any]:
    """Write an export's CSV into Export.results_file, reporting progress as it goes."""
    return job_execute(EXPORT_JOB, export_id)


def exports_restart_stalled(*, now: datetime | None = None) -> dict[str, Any]:
    """Re-queue exports whose worker died (or fail them after EXPORT_MAX_ATTEMPTS)."""
    return jobs_sweep(kinds=[EXPORT_JOB], now=now)
