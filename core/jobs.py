"""One mechanism for every background job: exports, list uploads, analysis runs.

A job is a row of a model that subclasses `Job` (status, attempts, claim and heartbeat
times, progress, error, result file). A kind of job is a `JobType` registered here
with its model, its run function and its queue, as RapidPro registers an ExportType
per export kind. One Celery task (`core.job_run`) runs any kind by name, and one
periodic sweep (`core.jobs_sweep`) recovers the stalled jobs of every kind.

The life of a job:

* `job_enqueue` publishes `core.job_run` once the row is committed.
* `job_claim` takes the job with ONE conditional UPDATE (pending, or running on a
  worker whose heartbeat went silent, and fewer attempts than the type allows), so a
  redelivered task and a re-queued one can never both run it.
* The run function reports progress through its `JobContext`, which touches
  `heartbeat_at` each time: the sweep tells a dead worker from a slow one by it.
* The finishing UPDATE names the attempt it belongs to, so a worker that woke up
  after its job was taken again cannot overwrite the newer run's result.
* `jobs_sweep` puts a stalled job back to pending and publishes it again, or fails
  it with a reason once it has used its attempts: no job is ever stuck.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from celery import shared_task
from django.core.files.base import ContentFile, File
from django.db import OperationalError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.locks import periodic

# The storage helper moves down to core with the other file utilities.
from core.private_files import PrivatePath, private_storage
from core.publish import BACKGROUND, queue_for

logger = logging.getLogger(__name__)

SWEEP_LOCK = "reports:exports_restart_stalled:lock"  # the key the export sweep always held
STALLED_ERROR = (
    "The job stopped responding after {attempts} attempts (its worker was lost). "
    "Please start it again."
)


class JobStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _results_path(instance: Job, filename: str) -> str:
    return PrivatePath(instance.files_folder)(instance, filename)


class Job(models.Model):
    """What every job row has. A subclass adds its company, its inputs and its counts.

    `progress` is a percent for the progress bar; `row_count` of `total_rows` is the
    same progress in rows where a job has rows. `results_file` (private storage) is the
    job's output: the export itself, or the per-row outcomes of an uploaded list.
    """

    # The private-storage folder of the subclass's files.
    files_folder: ClassVar[str] = "jobs"

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    row_count = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    results_file = models.FileField(
        storage=private_storage, upload_to=_results_path, blank=True, max_length=255
    )
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class JobType:
    """One kind of job. Subclasses set `kind` and `model` and implement `run`.

    `run(job, ctx)` does the work, reports progress through `ctx`, names the fields to
    store with the final status through `ctx.store(...)`, and returns a small dict for
    the task log. An exception fails the job with `failure_message(exc)`, except the
    `retry_on` ones (the database went away), which put it back to pending for the
    task's retry or the sweep.
    """

    kind: ClassVar[str] = ""
    model: ClassVar[type[Job]]
    queue: ClassVar[str] = BACKGROUND
    select_related: ClassVar[tuple[str, ...]] = ()
    retry_on: ClassVar[tuple[type[Exception], ...]] = (OperationalError,)
    # Re-raise after failing the job (a caller that wants the error, not only the row).
    reraise: ClassVar[bool] = False

    # Limits: properties in a subclass may read settings instead.
    max_attempts: int = 3
    stall_seconds: int = 600  # a running job silent this long lost its worker
    pending_stall_seconds: int = 1800  # a pending job this old lost its queue message

    def run(self, job: Any, ctx: JobContext) -> dict[str, Any]:
        raise NotImplementedError

    def failure_message(self, job: Any, exc: Exception) -> str:
        return str(exc)

    def stalled_message(self, job: Any) -> str:
        return STALLED_ERROR.format(attempts=job.attempts)

    def on_failed(self, job: Any, exc: Exception) -> None:
        """Called after the job was marked failed (an analysis reschedules itself)."""

    def skipped(self, job_id: int) -> dict[str, Any]:
        return {"kind": self.kind, "job": job_id, "skipped": "not pending"}

    def failed(self, job: Any, exc: Exception) -> dict[str, Any]:
        return {"kind": self.kind, "job": job.pk, "failed": str(exc)}


_REGISTRY: dict[str, JobType] = {}


def register_job_type(cls: type[JobType]) -> type[JobType]:
    """Class decorator: make a job type runnable by name and swept."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} needs a kind")
    if cls.kind in _REGISTRY and type(_REGISTRY[cls.kind]) is not cls:
        raise ValueError(f"Two job types are registered for {cls.kind!r}")
    _REGISTRY[cls.kind] = cls()
    return cls


def job_type_for(kind: str) -> JobType:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"No job type is registered for {kind!r} jobs.") from None


def job_types() -> list[JobType]:
    return list(_REGISTRY.values())


class JobContext:
    """What a run function gets besides its job: progress, heartbeat, results."""

    def __init__(self, job_type: JobType, job: Job) -> None:
        self.job_type = job_type
        self.job = job
        self.fields: dict[str, Any] = {}

    def _mine(self) -> models.QuerySet:
        return job_rows(self.job_type, self.job.pk)

    def progress(
        self, percent: int | None = None, *, done: int | None = None, total: int | None = None
    ) -> None:
        """Record how far the run is (a percent, or rows done of total) and heartbeat."""
        fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
        if total is not None:
            fields["total_rows"] = total
        if done is not None:
            fields["row_count"] = done
            if percent is None:
                known = total if total is not None else self.job.total_rows
                percent = min(99, done * 100 // max(known or 0, 1))
        if percent is not None:
            fields["progress"] = percent
        self._mine().update(**fields)

    def heartbeat(self) -> None:
        self._mine().update(heartbeat_at=timezone.now())

    def save_results(self, name: str, content: bytes | File) -> None:
        """Write the job's output into `results_file`; stored with the final status."""
        payload = content if isinstance(content, File) else ContentFile(content)
        self.job.results_file.save(name, payload, save=False)
        self.fields["results_file"] = self.job.results_file.name

    def store(self, **fields: Any) -> None:
        """Fields written with the final status (counts, row totals, a result)."""
        self.fields.update(fields)


def job_rows(job_type: JobType, job_id: int) -> models.QuerySet:
    return job_type.model._default_manager.filter(pk=job_id)


def job_claim(job_type: JobType, job_id: int, *, now: datetime | None = None) -> bool:
    """Take the job for this run, in ONE conditional UPDATE: True if this run won it.

    Claimable: pending, or running on a worker silent for `stall_seconds`; and fewer
    attempts than `max_attempts`, so a job that keeps killing its worker stops.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=job_type.stall_seconds)
    claimable = Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
    return bool(
        job_rows(job_type, job_id)
        .filter(claimable, attempts__lt=job_type.max_attempts)
        .update(
            status=JobStatus.RUNNING,
            claimed_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            row_count=0,
            error="",
        )
    )


def job_execute(kind: str, job_id: int) -> dict[str, Any]:
    """Claim and run one job of `kind` (the Celery task calls this; so may a caller
    that wants the work done in its own process)."""
    job_type = job_type_for(kind)
    if not job_claim(job_type, job_id):
        return job_type.skipped(job_id)
    rows = job_type.model._default_manager.select_related(*job_type.select_related)
    job = rows.get(pk=job_id)
    attempt = job.attempts
    # The attempt number names this run: a late worker's writes match nothing.
    mine = job_rows(job_type, job_id).filter(attempts=attempt, status=JobStatus.RUNNING)
    ctx = JobContext(job_type, job)
    try:
        result = job_type.run(job, ctx)
    except job_type.retry_on:
        # Let the task retry, and the sweep finish the job if every retry fails; the
        # stale heartbeat stays, so only a new claim runs it.
        mine.update(status=JobStatus.PENDING)
        raise
    except Exception as exc:
        logger.exception("%s job %s failed", kind, job_id)
        mine.update(
            status=JobStatus.FAILED,
            error=job_type.failure_message(job, exc)[:2000],
            finished_at=timezone.now(),
        )
        job_type.on_failed(job, exc)
        if job_type.reraise:
            raise
        return job_type.failed(job, exc)
    now = timezone.now()
    mine.update(
        status=JobStatus.DONE, progress=100, heartbeat_at=now, finished_at=now, **ctx.fields
    )
    return result


def job_enqueue(kind: str, job_id: int, *, on_commit: bool = True) -> None:
    """Publish the job's run once the transaction that made it commits (or now, for a
    caller whose row is committed already)."""
    job_type = job_type_for(kind)

    def publish() -> None:
        job_run.apply_async(
            kwargs={"kind": kind, "job_id": job_id}, queue=queue_for(job_type.queue)
        )

    if on_commit:
        transaction.on_commit(publish)
    else:
        publish()


def _sweep_one(job_type: JobType, now: datetime) -> dict[str, int]:
    stall = now - timedelta(seconds=job_type.stall_seconds)
    pending_stall = now - timedelta(seconds=job_type.pending_stall_seconds)
    stalled = job_type.model._default_manager.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=stall)
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
        | Q(status=JobStatus.PENDING, created_at__lt=pending_stall)
    )
    requeued = failed = 0
    for job in stalled.only("pk", "attempts", "status"):
        # Conditional on the status read: a job that moved on meanwhile is left alone.
        same = job_rows(job_type, job.pk).filter(status=job.status, attempts=job.attempts)
        if job.attempts >= job_type.max_attempts:
            failed += same.update(
                status=JobStatus.FAILED,
                error=job_type.stalled_message(job),
                finished_at=now,
            )
            continue
        # Back to pending so the queued run can claim it; its old heartbeat stays
        # stale, so a late-waking old worker cannot claim it too.
        with transaction.atomic():
            if same.update(status=JobStatus.PENDING):
                requeued += 1
                job_enqueue(job_type.kind, job.pk)
    return {"requeued": requeued, "failed": failed}


@periodic(lock=SWEEP_LOCK, timeout=300, skipped={"skipped": "another sweep is running"})
def jobs_sweep(*, kinds: Iterable[str] | None = None, now: datetime | None = None) -> dict:
    """Re-queue the stalled jobs of every kind (or of `kinds`), or fail those out of
    attempts. Returns the totals; each kind's counts are logged."""
    now = now or timezone.now()
    chosen = [job_type_for(kind) for kind in kinds] if kinds is not None else job_types()
    totals = {"requeued": 0, "failed": 0}
    for job_type in chosen:
        stats = _sweep_one(job_type, now)
        if stats["requeued"] or stats["failed"]:
            logger.info("jobs_sweep %s: %s", job_type.kind, stats)
        for key, value in stats.items():
            totals[key] += value
    return totals


@shared_task(name="core.job_run", bind=True, max_retries=3, acks_late=True)
def job_run(self: Any, *, kind: str, job_id: int) -> dict[str, Any]:
    """Run one job of any kind. Redelivered after a worker dies (acks_late): the claim
    makes a second delivery a no-op while the first is alive."""
    retry_on = job_type_for(kind).retry_on
    try:
        return job_execute(kind, job_id)
    except retry_on as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(name="core.jobs_sweep")
def jobs_sweep_task() -> dict[str, Any]:
    """Periodic: recover the stalled jobs of every kind (see CELERY_BEAT_SCHEDULE)."""
    return jobs_sweep()
