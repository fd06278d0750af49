"""Real Celery workers, against the Redis broker, run tasks end to end from their queues."""

import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from config.celery import BACKGROUND, BULK, PRIORITY, QUEUES, app
from messaging.models import Message, MTType
from messaging.services import message_send
from messaging.tasks import messages_deliver
from reports.exports.profiles import profiles_export_config
from reports.models import Export, JobStatus
from reports.services import export_create
from tests.factories import make_profile

BACKLOG = 2000


@pytest.fixture
def broker(requires_redis):
    """The Redis broker with empty queues; tasks go to real workers, not in-process."""
    client = redis.Redis.from_url(requires_redis)
    client.delete(*QUEUES)
    app.conf.update(
        broker_url=requires_redis, task_always_eager=False, result_backend=requires_redis
    )
    # Celery caches the result backend per thread on first use: an eager task run
    # earlier in this process left the disabled one there.
    vars(app._local).pop("backend", None)
    try:
        yield client
    finally:
        client.delete(*QUEUES)
        app.conf.update(task_always_eager=True, result_backend=None)
        vars(app._local).pop("backend", None)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_an_export_queued_through_redis(broker, company, alice):
    make_profile(company, "+12125550301", first_name="Worker")
    export = export_create(
        company=company,
        requested_by=alice,
        kind=Export.Kind.PROFILES,
        name="Profiles",
        config=profiles_export_config(query="", scope=None),
    )
    assert broker.llen(BACKGROUND) == 1  # queued for a worker, not run in-process
    export.refresh_from_db()
    assert export.status != JobStatus.DONE
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[BACKGROUND]
    ):
        # Wait for the worker; the assertion is on the export's state, not on time.
        for _ in range(200):
            export.refresh_from_db()
            if export.status in {JobStatus.DONE, JobStatus.FAILED}:
                break
            time.sleep(0.1)
    assert export.status == JobStatus.DONE, export.error
    assert export.row_count == 1
    with export.results_file.open("rb") as stored:
        assert b"Worker" in stored.read()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_priority_worker_delivers_a_chat_reply_while_the_bulk_queue_holds_a_backlog(
    broker, company
):
    with app.producer_or_acquire() as producer:
        for _ in range(BACKLOG):
            messages_deliver.apply_async(([],), producer=producer)
    assert broker.llen(BULK) == BACKLOG
    profile = make_profile(company, "+12125550300")
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[PRIORITY]
    ):
        reply = message_send(
            company=company, profile=profile, body="On my way", message_type=MTType.DIRECT_MESSAGE
        )
        # Wait for the worker; the assertion is on the message's state, not on time.
        for _ in range(200):
            reply.refresh_from_db()
            if reply.status != Message.Status.QUEUED:
                break
            time.sleep(0.1)
    assert reply.status == Message.Status.SENT
    assert broker.llen(BULK) == BACKLOG  # the broadcast backlog is still waiting, untouched
