"""Broadcast fan-out keeps to each recipient's sending window."""

import datetime as dt

import pytest
import time_machine

from campaigns.broadcasts import broadcast_create, broadcast_schedule
from campaigns.models import Broadcast, BroadcastChunk
from messaging import tasks
from messaging.broadcast_reads import broadcast_waiting_for_window
from messaging.broadcast_sending import (
    broadcast_generate,
    broadcast_send_chunk,
    broadcasts_send_due,
)
from messaging.gateways import FakeGateway
from messaging.models import Message
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db

NEW_YORK_NUMBER = "+12125550201"
LOS_ANGELES_NUMBER = "+14155550202"


@pytest.fixture(autouse=True)
def legal_window(settings):
    settings.SMS_SENDING_WINDOW_START = dt.time(8)
    settings.SMS_SENDING_WINDOW_END = dt.time(21)
    FakeGateway.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def _subscribers(company, *numbers, **fields):
    campaign = make_campaign(company, timezone="America/New_York")
    people = [make_profile(company, number, **fields) for number in numbers]
    for person in people:
        make_subscription(person, campaign)
    return campaign, people


def test_a_los_angeles_recipient_at_six_waits_for_eight_while_new_york_at_nine_goes_now(
    company, committed
):
    campaign, (new_york, los_angeles) = _subscribers(company, NEW_YORK_NUMBER, LOS_ANGELES_NUMBER)
    broadcast = broadcast_create(campaign=campaign, body="Polls are open")
    with time_machine.travel(utc(2026, 6, 10, 13), tick=False):  # 09:00 EDT, 06:00 PDT
        committed(broadcast_schedule, broadcast=broadcast)
    assert set(Message.objects.filter(broadcast=broadcast).values_list("profile", "status")) == {
        (new_york.pk, Message.Status.SENT)
    }
    waiting = BroadcastChunk.objects.get(broadcast=broadcast, status="pending")
    assert waiting.timezone == "America/Los_Angeles"
    assert waiting.not_before == utc(2026, 6, 10, 15)  # 08:00 PDT
    assert waiting.held_for_window
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING  # not finished while one waits

    with time_machine.travel(utc(2026, 6, 10, 15), tick=False):
        broadcasts_send_due()
    assert Message.objects.get(profile=los_angeles).status == Message.Status.SENT
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert broadcast.sent_count == 2


def test_a_company_window_ending_at_20_holds_a_recipient_at_20_30(company, committed):
    company.send_window_end = dt.time(20)
    company.save()
    campaign, (new_york,) = _subscribers(company, NEW_YORK_NUMBER)
    broadcast = broadcast_create(campaign=campaign, body="Tonight")
    with time_machine.travel(utc(2026, 6, 11, 0, 30), tick=False):  # 20:30 EDT
        committed(broadcast_schedule, broadcast=broadcast)
    assert not Message.objects.filter(broadcast=broadcast).exists()
    chunk = BroadcastChunk.objects.get(broadcast=broadcast)
    assert chunk.not_before == utc(2026, 6, 11, 12)  # 08:00 EDT the next day


def test_a_chunk_a_backlog_delayed_past_21_is_held_again_when_it_runs(
    company, committed, monkeypatch
):
    campaign, (new_york,) = _subscribers(company, NEW_YORK_NUMBER)
    broadcast = broadcast_create(campaign=campaign, body="Last call")
    queued = []
    # The chunk is queued at 20:50 but the workers are busy: it only runs at 21:10.
    monkeypatch.setattr(tasks.broadcast_send_chunk, "delay", queued.append)
    with time_machine.travel(utc(2026, 6, 11, 0, 50), tick=False):  # 20:50 EDT
        broadcast_schedule(broadcast=broadcast)
        broadcast_generate(broadcast_id=broadcast.pk)
    assert len(queued) == 1
    with time_machine.travel(utc(2026, 6, 11, 1, 10), tick=False):  # 21:10 EDT
        outcome = broadcast_send_chunk(chunk_id=queued[0])
    assert outcome["held_until"] == utc(2026, 6, 11, 12).isoformat()
    chunk = BroadcastChunk.objects.get(pk=queued[0])
    assert chunk.status == BroadcastChunk.Status.PENDING
    assert chunk.not_before == utc(2026, 6, 11, 12)
    assert chunk.dispatched_at is None
    assert not Message.objects.filter(broadcast=broadcast).exists()
    assert FakeGateway.sent_to(NEW_YORK_NUMBER) == []


def test_a_sent_broadcast_message_carries_the_seconds_left_in_the_window(company, committed):
    campaign, _ = _subscribers(company, NEW_YORK_NUMBER)
    broadcast = broadcast_create(campaign=campaign, body="One more hour")
    with time_machine.travel(utc(2026, 6, 11, 0), tick=False):  # 20:00 EDT
        committed(broadcast_schedule, broadcast=broadcast)
    assert FakeGateway.sent_to(NEW_YORK_NUMBER)[0]["validity_period"] == 3600


def test_the_broadcast_page_shows_how_many_recipients_wait_for_their_window(
    company, committed, alice, client_as
):
    campaign, people = _subscribers(
        company, NEW_YORK_NUMBER, LOS_ANGELES_NUMBER, "+14155550203", "+14155550204"
    )
    broadcast = broadcast_create(campaign=campaign, body="Polls are open")
    with time_machine.travel(utc(2026, 6, 10, 13), tick=False):  # 09:00 EDT, 06:00 PDT
        committed(broadcast_schedule, broadcast=broadcast)
        page = client_as(alice).get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert (
        "3 recipients are waiting for their sending window (next opens 08:00 America/Los_Angeles)"
        in page
    )
    assert broadcast_waiting_for_window(broadcast=broadcast)["count"] == 3


def test_a_local_time_broadcast_still_keeps_to_the_window(company, committed):
    # 07:00 local in every zone is before the window: each zone waits for its own 08:00.
    campaign, _ = _subscribers(company, NEW_YORK_NUMBER, LOS_ANGELES_NUMBER)
    broadcast = broadcast_create(campaign=campaign, body="Good morning", localtime=True)
    with time_machine.travel(utc(2026, 6, 10, 0), tick=False):
        broadcast_schedule(broadcast=broadcast, delivery_time=utc(2026, 6, 10, 11))  # 07:00 EDT
        broadcasts_send_due()
    chunks = {c.timezone: c.not_before for c in BroadcastChunk.objects.filter(broadcast=broadcast)}
    assert chunks == {
        "America/New_York": utc(2026, 6, 10, 12),
        "America/Los_Angeles": utc(2026, 6, 10, 15),
    }
