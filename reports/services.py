"""Writes of the reports app: starting, running and recovering exports."""

import logging
import tempfile
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files import File
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Company

from .exports import export_type_for
from .exports.writer import write_csv
from .models import Export, JobStatus

logger = logging.getLogger(__name__)

RESTART_LOCK_KEY = "reports:exports_restart_stalled:lock"


def _stall_after() -> timedelta:
    """A running export touches heartbeat_at every few seconds; one silent this long
    lost its worker."""
    return timedelta(seconds=settings.EXPORT_STALL_SECONDS)


def _enqueue(export_id: int) -> None:
    from .tasks import export_run  # tasks call services; import late to avoid a cycle

    transaction.on_commit(lambda: export_run.delay(export_id=export_id))


def export_create(
    *,
    company: Company,
    requested_by: AbstractBaseUser | None,
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
        _enqueue(export.pk)
    return export


def _claim(export_id: int, now: datetime) -> bool:
    """Take the export for this run: pending, or running on a worker that went silent.

    One conditional UPDATE, so a redelivered task and a restarted one cannot both run.
    """
    stale = now - _stall_after()
    claimable = Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
    return bool(
        Export.objects.filter(claimable, pk=export_id).update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            row_count=0,
            error="",
        )
    )


def export_run(*, export_id: int) -> dict[str, Any]:
    """Write an export's CSV into Export.file, reporting progress as it goes."""
    if not _claim(export_id, timezone.now()):
        return {"export": export_id, "skipped": "not pending"}
    export = Export.objects.select_related("company").get(pk=export_id)
    try:
        export_type = export_type_for(export.kind)
        total = export_type.count(export)
        Export.objects.filter(pk=export.pk).update(total_rows=total)
        every = max(1000, min(50_000, total // 100 or 1))

        def on_progress(rows: int) -> None:
            Export.objects.filter(pk=export.pk).update(
                row_count=rows,
                progress=min(99, rows * 100 // max(total, 1)),
                heartbeat_at=timezone.now(),
            )

        with tempfile.TemporaryFile(suffix=".csv", buffering=1 << 20) as out:
            rows = write_csv(
                header=export_type.header(export),
                rows=export_type.rows(export),
                out=out,
                on_progress=on_progress,
                every=every,
            )
            out.seek(0)
            export.file.save(export_type.filename(export), File(out), save=False)
    except OperationalError:
        # The database went away: let the task retry, and the stalled-export sweep
        # finish the job if every retry fails.
        Export.objects.filter(pk=export.pk).update(status=JobStatus.PENDING)
        raise
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            status=JobStatus.FAILED,
            error=f"The export failed: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return {"export": export.pk, "failed": str(exc)}
    Export.objects.filter(pk=export.pk).update(
        status=JobStatus.DONE,
        file=export.file.name,
        row_count=rows,
        total_rows=rows,
        progress=100,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )
    return {"export": export.pk, "rows": rows}


def exports_restart_stalled(*, now: datetime | None = None) -> dict[str, Any]:
    """Re-queue exports whose worker died (or fail them after EXPORT_MAX_ATTEMPTS).

    Runs from Celery beat; a cache lock keeps two sweeps from re-queueing the same
    export twice when one runs long.
    """
    if not cache.add(RESTART_LOCK_KEY, "1", timeout=300):
        return {"skipped": "another sweep is running"}
    try:
        now = now or timezone.now()
        # A pending export this old lost its queue message.
        pending_stall = timedelta(seconds=settings.EXPORT_PENDING_STALL_SECONDS)
        stalled = Export.objects.filter(
            Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - _stall_after())
            | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
            | Q(status=JobStatus.PENDING, created_at__lt=now - pending_stall)
        )
        requeued = failed = 0
        for export in stalled.only("pk", "attempts", "status"):
            with transaction.atomic():
                if export.attempts >= settings.EXPORT_MAX_ATTEMPTS:
                    failed += Export.objects.filter(pk=export.pk, status=export.status).update(
                        status=JobStatus.FAILED,
                        error=(
                            f"The export stopped responding after {export.attempts} attempts "
                            "(its worker was lost). Please start it again."
                        ),
                        finished_at=now,
                    )
                    continue
                # Back to pending so the queued run can claim it; its old heartbeat
                # stays stale, so a late-waking old worker cannot claim it too.
                if Export.objects.filter(pk=export.pk, status=export.status).update(
                    status=JobStatus.PENDING
                ):
                    requeued += 1
                    _enqueue(export.pk)
        stats = {"requeued": requeued, "failed": failed}
        if requeued or failed:
            logger.info("exports_restart_stalled: %s", stats)
        return stats
    finally:
        cache.delete(RESTART_LOCK_KEY)
