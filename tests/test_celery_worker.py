"""A real Celery worker, against the Redis broker, runs a task end to end."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from reports.tasks import ping_database


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis(requires_redis, company):
    app.conf.update(
        broker_url=requires_redis, task_always_eager=False, result_backend=requires_redis
    )
    # Celery caches the result backend per thread on first use: an eager task run
    # earlier in this process left the disabled one there.
    vars(app._local).pop("backend", None)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping_database.delay(company_id=company.pk)
            assert result.get(timeout=20) == {"company": "Acme Action"}
    finally:
        app.conf.update(task_always_eager=True, result_backend=None)
        vars(app._local).pop("backend", None)
