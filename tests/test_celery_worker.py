"""Real Celery workers, against the Redis broker, run tasks end to end from their queues."""

import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from config.celery import BACKGROUND, BULK, PRIORITY, QUEUES, app
from messaging.models import Message, MTType
from messaging.services import message_send
from messaging.tasks import messages_deliver
from reports.tasks import ping_database
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
def test_a_real_worker_runs_a_task_through_redis(broker, company):
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[BACKGROUND]
    ):
        result = ping_database.delay(company_id=company.pk)
        assert result.get(timeout=20) == {"company": "Acme Action"}


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
