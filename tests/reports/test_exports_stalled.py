"""An export whose worker dies is re-queued, or failed after its attempts: never stuck."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.jobs import jobs_sweep_task as exports_restart_stalled_task
from reports.models import Export, JobStatus
from reports.services import (
    RESTART_LOCK_KEY,
    export_run,
    exports_restart_stalled,
)
from tests.factories import make_profile


def running(company, user, *, silent_for: timedelta, attempts: int = 1) -> Export:
    return Export.objects.create(
        company=company,
        requested_by=user,
        kind=Export.Kind.PROFILES,
        name="Profiles",
        status=JobStatus.RUNNING,
        attempts=attempts,
        progress=37,
        heartbeat_at=timezone.now() - silent_for,
    )


@pytest.fixture(autouse=True)
def _no_lock():
    cache.delete(RESTART_LOCK_KEY)


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_died_is_run_again_to_the_end(company, dana):
    make_profile(company)
    make_profile(company)
    export = running(company, dana, silent_for=timedelta(hours=1))

    stats = exports_restart_stalled_task()  # eager: the re-queued run happens now

    export.refresh_from_db()
    assert stats == {"requeued": 1, "failed": 0}
    assert export.status == JobStatus.DONE and export.row_count == 2
    assert export.attempts == 2


@pytest.mark.django_db
def test_an_export_that_keeps_dying_is_failed_with_a_reason(company, dana):
    export = running(
        company, dana, silent_for=timedelta(hours=1), attempts=settings.EXPORT_MAX_ATTEMPTS
    )
    assert exports_restart_stalled() == {"requeued": 0, "failed": 1}
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert "stopped responding" in export.error and export.finished_at is not None


@pytest.mark.django_db
def test_a_running_export_with_a_fresh_heartbeat_is_left_alone(company, dana):
    export = running(company, dana, silent_for=timedelta(seconds=5))
    assert exports_restart_stalled() == {"requeued": 0, "failed": 0}
    export.refresh_from_db()
    assert export.status == JobStatus.RUNNING and export.progress == 37


@pytest.mark.django_db
def test_a_second_delivery_of_a_running_export_does_nothing(company, dana):
    export = running(company, dana, silent_for=timedelta(seconds=5))
    assert export_run(export_id=export.pk) == {"export": export.pk, "skipped": "not pending"}
    export.refresh_from_db()
    assert export.status == JobStatus.RUNNING and export.attempts == 1


@pytest.mark.django_db
def test_a_finished_export_is_never_run_again(company, dana):
    export = Export.objects.create(
        company=company, kind="profiles", name="x", status=JobStatus.DONE, row_count=9
    )
    assert export_run(export_id=export.pk)["skipped"]
    export.refresh_from_db()
    assert export.row_count == 9


@pytest.mark.django_db
def test_two_sweeps_cannot_overlap(company, dana):
    export = running(
        company, dana, silent_for=timedelta(hours=1), attempts=settings.EXPORT_MAX_ATTEMPTS
    )
    cache.add(RESTART_LOCK_KEY, "1", timeout=60)
    try:
        assert exports_restart_stalled() == {"skipped": "another sweep is running"}
    finally:
        cache.delete(RESTART_LOCK_KEY)
    export.refresh_from_db()
    assert export.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_sweep_is_scheduled_with_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["jobs_sweep"]
    assert entry["task"] == exports_restart_stalled_task.name


@pytest.mark.django_db(transaction=True)
def test_an_export_of_an_unknown_kind_fails_with_its_reason(company, dana):
    export = Export.objects.create(company=company, kind="no_such_kind", name="Mystery")
    result = export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED and "no_such_kind" in export.error
    assert result["failed"]
