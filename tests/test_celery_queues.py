"""Each kind of task goes to its queue: replies to priority, broadcasts to bulk, the rest
to background (config/celery.py)."""

import pytest

from config.celery import app
from messaging import tasks as messaging_tasks
from messaging.models import Message, MOType, MTType
from messaging.services import message_send
from tests.factories import make_profile

EXPECTED = {
    "campaigns.broadcast_generate": "bulk",
    "campaigns.broadcast_send_chunk": "bulk",
    "messaging.messages_deliver": "bulk",
    "messaging.message_deliver": "bulk",  # unless the caller names the queue (below)
    # Exports, list uploads and analysis runs: one task runs every kind of job.
    "core.job_run": "background",
    "campaigns.broadcasts_send_due": "background",
    "reports.analyses_run_due": "background",
    "core.jobs_sweep": "background",
    "messaging.messages_queue_due": "background",
}


def _queue(name: str, **options) -> str:
    return app.amqp.router.route(options, name)["queue"].name


def test_each_kind_of_task_is_routed_to_its_queue():
    app.loader.import_default_modules()
    assert set(EXPECTED) <= set(app.tasks)  # the names are the registered tasks'
    assert {name: _queue(name) for name in EXPECTED} == EXPECTED


@pytest.mark.django_db
def test_replies_are_delivered_on_the_priority_queue_and_other_single_texts_on_bulk(
    company, monkeypatch, django_capture_on_commit_callbacks
):
    applied: list[dict] = []

    def apply_async(args, **options):
        applied.append(options)

    monkeypatch.setattr(messaging_tasks.message_deliver, "apply_async", apply_async)
    profile = make_profile(company)
    kinds = [
        MTType.DIRECT_MESSAGE,
        MTType.HELP_RESPONSE,
        MTType.OPT_OUT_RECEIPT,
        MTType.REGULAR_TEXT,
    ]
    incoming = Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type=MOType.REPLY,
        body="Where do I vote?",
    )
    with django_capture_on_commit_callbacks(execute=True):
        for kind in kinds:
            message_send(company=company, profile=profile, body="Hello", message_type=kind)
        # An agent's answer in the inbox is a regular text, but a reply all the same.
        message_send(company=company, profile=profile, body="At the library", in_reply_to=incoming)
    queues = [_queue("messaging.message_deliver", **options) for options in applied]
    assert queues == ["priority", "priority", "priority", "bulk", "priority"]


def test_celery_queue_puts_every_task_on_one_queue(monkeypatch):
    monkeypatch.setitem(app.conf, "task_default_queue", "shortcode")
    assert _queue("campaigns.broadcast_send_chunk") == "shortcode"
    assert messaging_tasks.delivery_queue(MTType.HELP_RESPONSE) == "shortcode"
