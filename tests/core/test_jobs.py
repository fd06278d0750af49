"""core.jobs: one claim wins, heartbeats, the stall sweep, the attempts cap, failures.

A probe job type runs on the Export model (any concrete subclass of Job would do);
each test registers it for its own duration only, so the sweeps of other tests never
see it.
"""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

import core.jobs as jobs
from core.jobs import JobStatus, JobType, job_claim, job_execute, jobs_sweep
from reports.models import Export

PROBE = "tests.core.probe"


class Probe(JobType):
    kind = PROBE
    model = Export
    max_attempts = 2
    stall_seconds = 60
    pending_stall_seconds = 600

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.action = lambda job, ctx: None

    def run(self, job, ctx):
        self.runs.append(job.pk)
        self.action(job, ctx)
        ctx.store(row_count=3, total_rows=3)
        return {"ran": job.pk}


@pytest.fixture
def probe(monkeypatch):
    probe = Probe()
    monkeypatch.setitem(jobs._REGISTRY, PROBE, probe)
    return probe


def _job(company, **fields) -> Export:
    return Export.objects.create(company=company, kind="profiles", name="probe", **fields)


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_one_wins(company, probe):
    job = _job(company)
    barrier = threading.Barrier(2)
    won: list[bool] = []

    def claim() -> None:
        try:
            barrier.wait()
            won.append(job_claim(probe, job.pk))
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, True]
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    assert job.claimed_at is not None and job.heartbeat_at is not None


@pytest.mark.django_db
def test_a_running_job_is_claimed_again_only_once_its_heartbeat_is_stale(company, probe):
    now = timezone.now()
    fresh = _job(company, status=JobStatus.RUNNING, attempts=1, heartbeat_at=now)
    stale = _job(
        company, status=JobStatus.RUNNING, attempts=1, heartbeat_at=now - timedelta(minutes=5)
    )
    assert not job_claim(probe, fresh.pk)
    assert job_claim(probe, stale.pk)
    stale.refresh_from_db()
    assert stale.attempts == 2


@pytest.mark.django_db
def test_a_finished_job_is_never_claimed(company, probe):
    for status in (JobStatus.DONE, JobStatus.FAILED):
        assert not job_claim(probe, _job(company, status=status).pk)
    assert probe.runs == []


@pytest.mark.django_db
def test_a_run_reports_progress_and_heartbeats(company, probe):
    job = _job(company)
    seen = {}

    def action(job, ctx):
        Export.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        ctx.progress(done=25, total=100)
        seen.update(
            Export.objects.filter(pk=job.pk)
            .values("progress", "row_count", "total_rows", "heartbeat_at")
            .get()
        )

    probe.action = action
    assert job_execute(PROBE, job.pk) == {"ran": job.pk}
    assert (seen["progress"], seen["row_count"], seen["total_rows"]) == (25, 25, 100)
    assert seen["heartbeat_at"] > timezone.now() - timedelta(minutes=1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100 and job.row_count == 3
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_worker_that_lost_its_job_cannot_overwrite_the_newer_run(company, probe):
    job = _job(company)

    def action(job, ctx):
        # Meanwhile the sweep gave the job to another worker, which claimed it.
        Export.objects.filter(pk=job.pk).update(attempts=2, row_count=7)

    probe.action = action
    job_execute(PROBE, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.row_count == 7


@pytest.mark.django_db
def test_an_error_fails_the_job_with_its_message(company, probe):
    job = _job(company)

    def action(job, ctx):
        raise ValueError("no such column")

    probe.action = action
    assert job_execute(PROBE, job.pk)["failed"] == "no such column"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "no such column"


@pytest.mark.django_db
def test_a_lost_database_puts_the_job_back_for_a_retry(company, probe):
    job = _job(company)

    def action(job, ctx):
        raise OperationalError("server closed the connection")

    probe.action = action
    with pytest.raises(OperationalError):
        job_execute(PROBE, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.attempts == 1


@pytest.mark.django_db
def test_the_sweep_requeues_stalled_jobs_and_leaves_live_ones(
    company, probe, django_capture_on_commit_callbacks
):
    now = timezone.now()
    dead = _job(
        company, status=JobStatus.RUNNING, attempts=1, heartbeat_at=now - timedelta(minutes=5)
    )
    never_beat = _job(company, status=JobStatus.RUNNING, attempts=1)
    alive = _job(company, status=JobStatus.RUNNING, attempts=1, heartbeat_at=now)
    lost_message = _job(company)
    Export.objects.filter(pk=lost_message.pk).update(created_at=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # the re-queued runs happen
        assert jobs_sweep(kinds=[PROBE]) == {"requeued": 3, "failed": 0}
    assert sorted(probe.runs) == sorted([dead.pk, never_beat.pk, lost_message.pk])
    for job in (dead, never_beat, lost_message):
        job.refresh_from_db()
        assert job.status == JobStatus.DONE
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_a_job_out_of_attempts_is_failed_never_run_again(company, probe):
    stalled = _job(
        company,
        status=JobStatus.RUNNING,
        attempts=probe.max_attempts,
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )
    # Past its attempts, not even a stale job is claimed...
    assert not job_claim(probe, stalled.pk)
    # ...and the sweep fails it with a reason instead of re-queueing it.
    assert jobs_sweep(kinds=[PROBE]) == {"requeued": 0, "failed": 1}
    stalled.refresh_from_db()
    assert stalled.status == JobStatus.FAILED
    assert "stopped responding after 2 attempts" in stalled.error
    assert probe.runs == []


@pytest.mark.django_db
def test_every_kind_that_ships_is_registered():
    kinds = {job_type.kind for job_type in jobs.job_types()}
    assert {
        "reports.export",
        "reports.analysis_run",
        "inbox.bulk_opt_out",
        "campaigns.group_upload",
    } <= kinds
    with pytest.raises(LookupError):
        jobs.job_type_for("no.such.kind")
