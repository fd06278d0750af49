"""The webhook stores and answers; a worker classifies (messaging.inbound_accept).

Here the classification task is caught instead of run, as a broker would hold it, so
each test can look at what the webhook alone left behind and then run the task.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import core.publish as publish
import messaging.inbound_accept as inbound_accept
from campaigns.models import Subscription
from config.celery import app
from messaging import inbound, tasks
from messaging.models import Message, MOType, MTType
from profiles.models import Profile
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_subscription
from tests.messaging.channel_builders import make_channel, twilio_inbound, twilio_post

NUMBER = "+12028831111"
PHONE = "+12025550177"


@pytest.fixture
def number(company):
    return make_channel(company, "twilio", NUMBER)


@pytest.fixture(autouse=True)
def _no_sweep_marks():
    """The sweep's marks live in the cache, which outlives a test's rolled-back rows
    (and their ids, which a later run reuses)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queued(monkeypatch):
    """The classification tasks the webhooks published, in order, not yet run."""
    published: list[int] = []
    monkeypatch.setattr(inbound_accept, "message_classify_later", published.append)
    return published


@pytest.fixture
def rent(company, number):
    campaign = make_campaign(company, name="Renters United", channel=number)
    path = make_opt_in_path(campaign, name="Keyword RENT")
    path.welcome_message = "Welcome to Renters United!"
    path.save()
    from campaigns.services_campaigns import keyword_create

    keyword_create(opt_in_path=path, name="RENT")
    return campaign


def _text(client, channel, body, sid, phone=PHONE, **extra):
    fields = twilio_inbound(sid=sid, sender=phone, to=channel.number, body=body, **extra)
    return twilio_post(client, channel, "inbound", fields)


def _statements(context: CaptureQueriesContext) -> list[str]:
    """The statements run, less the savepoints of the test's own transaction (in
    production the webhook's transaction is BEGIN and COMMIT, which run as no query)."""
    return [
        query["sql"].split()[0]
        for query in context.captured_queries
        if "SAVEPOINT" not in query["sql"]
    ]


def test_the_twilio_webhook_reads_the_number_and_inserts_the_text_nothing_more(
    client, number, queued
):
    # One SELECT of the number (its credentials verify the signature), one INSERT.
    with CaptureQueriesContext(connection) as context:
        response = _text(client, number, "STOP", "SM" + "a" * 32)
    assert _statements(context) == ["SELECT", "INSERT"]
    assert response.status_code == 200
    assert response.content.decode().endswith("<Response/>")
    message = Message.objects.get(direction="mo")
    assert message.classification_pending and message.profile_id is None
    assert queued == [message.pk]
    assert not Profile.objects.exists()  # the profile is the worker's business


def test_a_redelivery_is_one_insert_that_stores_nothing_and_queues_nothing(client, number, queued):
    _text(client, number, "hello", "SM" + "b" * 32)
    # SELECT number, INSERT … ON CONFLICT DO NOTHING, then the stored row's id.
    with CaptureQueriesContext(connection) as context:
        again = _text(client, number, "hello", "SM" + "b" * 32)
    assert _statements(context) == ["SELECT", "INSERT", "SELECT"]
    assert again.status_code == 200
    assert Message.objects.filter(direction="mo").count() == 1
    assert len(queued) == 1


def test_the_worker_classifies_a_stop_and_opts_out_in_one_go(client, company, number, queued):
    campaign = make_campaign(company, name="News", channel=number)
    subscription = make_subscription(make_profile(company, PHONE), campaign)
    _text(client, number, "STOP", "SM" + "c" * 32)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # nothing happened yet
    assert tasks.message_classify(queued[0]) == MOType.OPT_OUT
    message = Message.objects.get(direction="mo")
    subscription.refresh_from_db()
    assert (message.message_type, message.classification_pending) == (MOType.OPT_OUT, False)
    assert subscription.status == Subscription.Status.OPTED_OUT
    assert Message.objects.filter(direction="mt", message_type=MTType.OPT_OUT_RECEIPT).count() == 1
    # A second copy of the task (a redelivery, or the sweep's) changes nothing.
    assert tasks.message_classify(queued[0]) == "already classified"
    assert Message.objects.filter(direction="mt").count() == 1


def test_twilio_s_own_stop_answer_survives_until_the_worker(client, company, number, queued):
    make_subscription(make_profile(company, PHONE), make_campaign(company, channel=number))
    _text(client, number, "arret", "SM" + "d" * 32, OptOutType="STOP")
    tasks.message_classify(queued[0])
    assert Message.objects.get(direction="mo").message_type == MOType.OPT_OUT
    assert not Message.objects.filter(direction="mt").exists()  # Twilio already answered


def test_a_failed_opt_out_leaves_the_text_stored_and_unclassified(
    client, company, number, queued, monkeypatch
):
    subscription = make_subscription(
        make_profile(company, PHONE), make_campaign(company, channel=number)
    )
    _text(client, number, "STOP", "SM" + "e" * 32)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(inbound, "profile_opt_out", broken)
        with pytest.raises(RuntimeError):
            tasks.message_classify(queued[0])
    message = Message.objects.get(direction="mo")
    assert message.classification_pending and message.message_type == MOType.UNKNOWN
    assert not Message.objects.filter(direction="mt").exists()
    # The sweep finds it once it is old enough, and this time it goes through.
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    swept: list[int] = []
    monkeypatch.setattr(
        tasks.message_classify, "apply_async", lambda args, **kw: swept.append(*args)
    )
    assert tasks.messages_classify_stalled() == {"queued": 1}
    tasks.message_classify(swept[0])
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.OPTED_OUT


def test_the_sweep_leaves_texts_a_worker_may_still_be_holding(client, number, queued, monkeypatch):
    _text(client, number, "hello", "SM" + "f" * 32)
    swept: list[int] = []
    monkeypatch.setattr(
        tasks.message_classify, "apply_async", lambda args, **kw: swept.append(*args)
    )
    assert tasks.messages_classify_stalled() == {"queued": 0}
    assert swept == []


def test_the_sweep_does_not_run_twice_at_once(client, number, queued):
    from django.core.cache import cache

    cache.add("lock:messages_classify_stalled", "1", 60)
    try:
        assert tasks.messages_classify_stalled() == {"skipped": "another run is in progress"}
    finally:
        cache.delete("lock:messages_classify_stalled")


def test_a_number_s_texts_are_applied_in_the_order_they_arrived(client, company, rent, queued):
    """RENT then STOP, with the STOP's task run first: the keyword is applied first,
    so the person who said STOP last is opted out, not subscribed."""
    _text(client, rent.channel, "RENT", "SM" + "1" * 32)
    _text(client, rent.channel, "STOP", "SM" + "2" * 32)
    rent_task, stop_task = queued
    assert tasks.message_classify(stop_task) == MOType.OPT_OUT
    assert tasks.message_classify(rent_task) == "already classified"
    profile = Profile.objects.get(phone_number=PHONE)
    types = list(
        Message.objects.filter(direction="mo").order_by("pk").values_list("message_type", flat=True)
    )
    assert types == [MOType.OPT_IN, MOType.OPT_OUT]
    assert Subscription.objects.get(profile=profile).status == Subscription.Status.OPTED_OUT


def test_two_identical_texts_queued_together_act_once(client, company, number, queued):
    make_subscription(make_profile(company, PHONE), make_campaign(company, channel=number))
    _text(client, number, "HELP", "SM" + "3" * 32)
    _text(client, number, "HELP", "SM" + "4" * 32)
    for message_id in reversed(queued):
        tasks.message_classify(message_id)
    types = list(
        Message.objects.filter(direction="mo").order_by("pk").values_list("message_type", flat=True)
    )
    assert types == [MOType.HELP_REQUEST, MOType.SIMULTANEOUS]
    assert Message.objects.filter(direction="mt", message_type=MTType.HELP_RESPONSE).count() == 1


def test_without_a_broker_the_text_is_classified_before_the_answer(client, company, number):
    make_subscription(make_profile(company, PHONE), make_campaign(company, channel=number))
    _text(client, number, "STOP", "SM" + "5" * 32)
    message = Message.objects.get(direction="mo")
    assert (message.message_type, message.classification_pending) == (MOType.OPT_OUT, False)


def test_a_broker_that_cannot_be_reached_does_not_fail_the_webhook(
    client, company, number, monkeypatch, django_capture_on_commit_callbacks
):
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("Redis is away")

    monkeypatch.setattr(publish, "_publish_down_until", 0.0)
    monkeypatch.setattr(tasks.message_classify, "apply_async", unreachable)
    app.conf.update(task_always_eager=False)  # a real broker, away
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = _text(client, number, "STOP", "SM" + "6" * 32)
            second = _text(client, number, "HELP", "SM" + "7" * 32)
    finally:
        app.conf.update(task_always_eager=True)
    assert (first.status_code, second.status_code) == (200, 200)
    assert Message.objects.filter(direction="mo", classification_pending=True).count() == 2
    assert len(attempts) == 1  # after one failure the broker is left alone for a while


def test_the_sweep_queues_a_waiting_text_once_per_period(client, number, queued, monkeypatch):
    from django.core.cache import cache

    _text(client, number, "hello", "SM" + "8" * 32)
    message = Message.objects.get(direction="mo")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    cache.delete(f"classify-requeued:{message.pk}")
    swept: list[int] = []
    monkeypatch.setattr(
        tasks.message_classify, "apply_async", lambda args, **kw: swept.append(*args)
    )
    assert tasks.messages_classify_stalled() == {"queued": 1}
    # Still waiting in the queue a minute later: not copied into it again.
    assert tasks.messages_classify_stalled() == {"queued": 0}
    assert swept == [message.pk]
    cache.delete(f"classify-requeued:{message.pk}")


def test_the_remembered_insert_is_the_compilers_statement_with_its_values(
    client, company, number, queued, monkeypatch
):
    import messaging.inbound_store as inbound_store

    inbound_store._insert_sql.clear()
    _text(client, number, "first", "SM" + "d" * 32)  # compiled, then remembered
    assert inbound_store._insert_sql[connection.alias].startswith("INSERT")
    at = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: at)  # auto_now fields: the same instant
    message = Message(
        company=company,
        phone_number="+12025550178",
        direction=Message.Direction.MO,
        body="second",
        originator=NUMBER,
        gateway="twilio",
        gateway_message_id="SM" + "e" * 32,
        received_at=at,
        created_at=at,
        classification_pending=True,
        provider_opt_out="STOP",
    )
    assert inbound_store._insert_statement(message) == inbound_store._insert_compiled(message)
    _text(client, number, "second", "SM" + "e" * 32, phone="+12025550178")
    stored = Message.objects.get(gateway_message_id="SM" + "e" * 32)
    assert (stored.body, stored.phone_number, stored.classification_pending) == (
        "second",
        "+12025550178",
        True,
    )
