import datetime as dt

import pytest
from django.utils import timezone

from campaigns.api import broadcast_api_error
from campaigns.broadcasts import (
    BroadcastError,
    broadcast_create,
    broadcast_reschedule,
    broadcast_schedule,
    broadcast_unschedule,
)
from campaigns.models import Broadcast, BroadcastChunk
from campaigns.selectors import broadcast_estimate
from messaging.broadcast_sending import broadcast_send_chunk, broadcasts_send_due
from messaging.gateways import FakeGateway
from messaging.models import Message
from profiles.models import Group, GroupMembership
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(company):
    """A campaign with subscribers in every state the send rules care about."""
    campaign = make_campaign(company)
    people = {}
    for name, fields in {
        "ann": {},
        "ben": {},
        "blacklisted": {"blacklisted": True},
        "cleaned": {"cleaned_at": timezone.now(), "cleaned_reason": "Hard Bounce"},
        "deactivated": {"deactivated": True},
    }.items():
        people[name] = make_profile(company, **fields)
        make_subscription(people[name], campaign)
    people["opted_out"] = make_profile(company)
    make_subscription(people["opted_out"], campaign, status="Opted-Out")
    people["outsider"] = make_profile(company)  # in a group, not subscribed
    return campaign, people


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a service queues for after its commit (the fan-out) right away."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def _group(company, name, *profiles):
    group = Group.objects.create(company=company, name=name)
    GroupMembership.objects.bulk_create(GroupMembership(group=group, profile=p) for p in profiles)
    return group


def _sent_to(broadcast):
    return set(
        Message.objects.filter(broadcast=broadcast, status=Message.Status.SENT).values_list(
            "profile_id", flat=True
        )
    )


def test_a_broadcast_reaches_subscribers_and_skips_every_refused_number(
    company, audience, committed
):
    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Rally at noon!")
    assert broadcast.status == Broadcast.Status.DRAFT
    committed(broadcast_schedule, broadcast=broadcast)  # now: fans out (tasks run eagerly in tests)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert _sent_to(broadcast) == {people["ann"].pk, people["ben"].pk}
    assert broadcast.sent_count == 2
    # blacklisted, cleaned, deactivated are addressed (subscribed) but refused and counted
    assert broadcast.undeliverable_count == 3
    assert broadcast.recipients_count == 5
    refused = Message.objects.filter(broadcast=broadcast, status=Message.Status.UNDELIVERABLE)
    assert {m.profile_id for m in refused} == {
        people["blacklisted"].pk,
        people["cleaned"].pk,
        people["deactivated"].pk,
    }
    assert all(m.status_reason for m in refused)
    assert not Message.objects.filter(profile=people["opted_out"]).exists()


def test_included_groups_add_members_and_excluded_groups_remove_them(company, audience, committed):
    campaign, people = audience
    vip = _group(company, "VIP", people["outsider"])
    quiet = _group(company, "Quiet", people["ben"], people["outsider"])
    broadcast = broadcast_create(
        campaign=campaign,
        body="Hello",
        included_groups=[vip],
        excluded_groups=[quiet],
    )
    committed(broadcast_schedule, broadcast=broadcast)
    assert _sent_to(broadcast) == {people["ann"].pk}

    only_group = broadcast_create(
        campaign=campaign, body="Hi group", include_subscribers=False, included_groups=[vip]
    )
    committed(broadcast_schedule, broadcast=only_group)
    assert _sent_to(only_group) == {people["outsider"].pk}


def test_a_group_member_who_opted_out_of_the_campaign_is_not_messaged(company, audience, committed):
    campaign, people = audience
    group = _group(company, "Everyone", people["opted_out"], people["outsider"])
    broadcast = broadcast_create(
        campaign=campaign, body="Hi", include_subscribers=False, included_groups=[group]
    )
    committed(broadcast_schedule, broadcast=broadcast)
    assert _sent_to(broadcast) == {people["outsider"].pk}
    broadcast.refresh_from_db()
    assert broadcast.undeliverable_count == 1


def test_the_estimate_counts_who_the_rules_let_through(company, audience):
    campaign, people = audience
    quiet = _group(company, "Quiet", people["ben"])
    estimate = broadcast_estimate(
        company=company, campaign=campaign, include_subscribers=True, excluded_groups=[quiet]
    )
    assert estimate == {"audience": 4, "recipients": 1, "undeliverable": 3}


def test_a_scheduled_broadcast_waits_until_its_time(company, audience):
    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Later")
    later = timezone.now() + dt.timedelta(hours=2)
    broadcast_schedule(broadcast=broadcast, delivery_time=later)
    broadcasts_send_due()
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SCHEDULED
    assert not Message.objects.filter(broadcast=broadcast).exists()

    Broadcast.objects.filter(pk=broadcast.pk).update(
        delivery_time=timezone.now() - dt.timedelta(seconds=5)
    )
    assert broadcasts_send_due()["started"] == 1
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert _sent_to(broadcast) == {people["ann"].pk, people["ben"].pk}


def test_reschedule_and_unschedule_work_only_before_the_broadcast_starts(
    company, audience, committed
):
    campaign, _ = audience
    broadcast = broadcast_create(campaign=campaign, body="Soon")
    with pytest.raises(BroadcastError) as refused:
        broadcast_unschedule(broadcast=broadcast)
    assert broadcast_api_error(refused.value).code == 23
    with pytest.raises(BroadcastError):
        broadcast_reschedule(broadcast=broadcast, delivery_time=timezone.now())

    first = timezone.now() + dt.timedelta(days=1)
    broadcast_schedule(broadcast=broadcast, delivery_time=first)
    with pytest.raises(BroadcastError, match="Only a draft"):
        broadcast_schedule(broadcast=broadcast, delivery_time=first)
    second = first + dt.timedelta(hours=3)
    broadcast_reschedule(broadcast=broadcast, delivery_time=second)
    broadcast.refresh_from_db()
    assert broadcast.delivery_time == second
    broadcast_unschedule(broadcast=broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT

    committed(broadcast_schedule, broadcast=broadcast)  # now: it goes out
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    for change in (broadcast_unschedule, broadcast_reschedule):
        with pytest.raises(BroadcastError, match="this one is sent"):
            change(broadcast=broadcast)


def test_a_past_delivery_time_is_refused(company, audience):
    campaign, _ = audience
    broadcast = broadcast_create(campaign=campaign, body="Oops")
    with pytest.raises(BroadcastError) as refused:
        broadcast_schedule(
            broadcast=broadcast, delivery_time=timezone.now() - dt.timedelta(hours=1)
        )
    assert broadcast_api_error(refused.value).code == 2


def test_an_ended_campaign_cannot_broadcast(company):
    campaign = make_campaign(company, active=False)
    with pytest.raises(BroadcastError, match="has ended"):
        broadcast_create(campaign=campaign, body="Too late")


def test_groups_of_another_company_are_refused(company, other_company, audience):
    campaign, _ = audience
    foreign = Group.objects.create(company=other_company, name="Theirs")
    with pytest.raises(BroadcastError) as refused:
        broadcast_create(campaign=campaign, body="Hi", included_groups=[foreign])
    assert broadcast_api_error(refused.value).code == 6


def test_a_redelivered_chunk_sends_nothing_twice(company, audience, committed):
    campaign, people = audience
    FakeGateway.clear()
    broadcast = broadcast_create(campaign=campaign, body="Once only")
    committed(broadcast_schedule, broadcast=broadcast)
    chunk = BroadcastChunk.objects.get(broadcast=broadcast)
    sends = FakeGateway.sent_count
    assert sends == 2

    # The worker died after committing but before acknowledging: the task comes back,
    # and the chunk is even reset to pending as if its last step had not been recorded.
    BroadcastChunk.objects.filter(pk=chunk.pk).update(status=BroadcastChunk.Status.PENDING)
    broadcast_send_chunk(chunk_id=chunk.pk)
    broadcast_send_chunk(chunk_id=chunk.pk)
    assert FakeGateway.sent_count == sends
    assert Message.objects.filter(broadcast=broadcast).count() == 5
    assert Message.objects.filter(broadcast=broadcast, profile=people["ann"]).count() == 1


def test_a_chunk_killed_before_delivery_delivers_on_redelivery(company, audience, committed):
    campaign, people = audience
    FakeGateway.clear()
    broadcast = broadcast_create(campaign=campaign, body="Half done")
    committed(broadcast_schedule, broadcast=broadcast)
    # Simulate a kill after the messages were created but before they were delivered.
    Message.objects.filter(broadcast=broadcast, status=Message.Status.SENT).update(
        status=Message.Status.QUEUED
    )
    chunk = BroadcastChunk.objects.get(broadcast=broadcast)
    BroadcastChunk.objects.filter(pk=chunk.pk).update(status=BroadcastChunk.Status.PENDING)
    broadcast_send_chunk(chunk_id=chunk.pk)
    assert _sent_to(broadcast) == {people["ann"].pk, people["ben"].pk}
    assert Message.objects.filter(broadcast=broadcast).count() == 5


def test_a_stop_arriving_before_delivery_wins(company, audience):
    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Still there?")
    later = timezone.now() + dt.timedelta(minutes=5)
    broadcast_schedule(broadcast=broadcast, delivery_time=later)
    from campaigns.services_subscriptions import profile_opt_out

    profile_opt_out(profile=people["ben"], source="Texted a STOP word")
    Broadcast.objects.filter(pk=broadcast.pk).update(delivery_time=timezone.now())
    broadcasts_send_due()
    assert _sent_to(broadcast) == {people["ann"].pk}


def test_throttled_broadcasts_send_one_chunk_per_minute(company, audience, committed):
    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Slowly", throttle_per_minute=2)
    committed(broadcast_schedule, broadcast=broadcast)
    chunks = list(BroadcastChunk.objects.filter(broadcast=broadcast).order_by("index"))
    assert len(chunks) == 3  # 5 addressed profiles, 2 a minute
    assert chunks[1].not_before - chunks[0].not_before == dt.timedelta(minutes=1)
    assert chunks[0].status == BroadcastChunk.Status.DONE
    assert chunks[1].status == BroadcastChunk.Status.PENDING
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING

    BroadcastChunk.objects.filter(broadcast=broadcast).update(not_before=timezone.now())
    broadcasts_send_due()
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert _sent_to(broadcast) == {people["ann"].pk, people["ben"].pk}


def test_local_time_delivery_waits_for_each_profiles_time_zone(company):
    campaign = make_campaign(company, timezone="America/New_York")
    east = make_profile(company, timezone="America/New_York")
    west = make_profile(company, timezone="America/Los_Angeles")
    for profile in (east, west):
        make_subscription(profile, campaign)
    broadcast = broadcast_create(campaign=campaign, body="Good morning", localtime=True)
    broadcast_schedule(broadcast=broadcast, delivery_time=timezone.now() + dt.timedelta(hours=1))
    broadcasts_send_due()  # the earliest zone on Earth passed that wall-clock time long ago
    chunks = {c.timezone: c for c in BroadcastChunk.objects.filter(broadcast=broadcast)}
    assert set(chunks) == {"America/New_York", "America/Los_Angeles"}
    gap = chunks["America/Los_Angeles"].not_before - chunks["America/New_York"].not_before
    assert gap == dt.timedelta(hours=3)
    assert not Message.objects.filter(broadcast=broadcast).exists()


def test_a_reply_and_a_stop_are_counted_once_and_survive_the_broadcasts_finish(
    company, audience, committed, client_as, alice
):
    from django.urls import reverse

    from messaging.models import MOType

    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Can you call?", throttle_per_minute=2)
    committed(broadcast_schedule, broadcast=broadcast)  # first chunk (ann, ben) sent
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING
    ann, ben = people["ann"], people["ben"]
    reply = receive_text(company, ann.phone_number, "Yes!").message
    stop = receive_text(company, ben.phone_number, "STOP").message
    assert (reply.message_type, stop.message_type) == (MOType.REPLY, MOType.OPT_OUT)
    # Both answers point at the broadcast message they answer.
    assert reply.in_reply_to.broadcast_id == broadcast.pk
    assert stop.in_reply_to.broadcast_id == broadcast.pk

    BroadcastChunk.objects.filter(broadcast=broadcast).update(not_before=timezone.now())
    broadcasts_send_due()  # the remaining chunks, then the final counts
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    # Every answer is a reply, the STOP included; the STOP is also the one opt-out.
    assert (broadcast.replies_count, broadcast.opt_outs_count) == (2, 1)
    answers = Message.objects.filter(direction="mo", in_reply_to__broadcast=broadcast)
    assert answers.count() == broadcast.replies_count

    page = client_as(alice).get(reverse("campaigns:broadcast_detail", args=[broadcast.pk]))
    assert page.status_code == 200
    broadcast.refresh_from_db()
    assert (broadcast.replies_count, broadcast.opt_outs_count) == (2, 1)
    # A second STOP from a number already opted out is a reply to the receipt, not to
    # the broadcast, and opts nobody out again.
    receive_text(company, ben.phone_number, "STOP")
    broadcast.refresh_from_db()
    assert (broadcast.replies_count, broadcast.opt_outs_count) == (2, 1)


def test_a_chunk_whose_worker_died_before_starting_it_is_queued_again(
    company, audience, settings, monkeypatch
):
    import messaging.tasks as tasks
    from messaging.broadcast_sending import broadcast_chunks_dispatch, broadcast_generate

    campaign, people = audience
    broadcast = broadcast_create(campaign=campaign, body="Lost task")
    broadcast_schedule(broadcast=broadcast, delivery_time=timezone.now() + dt.timedelta(minutes=5))
    Broadcast.objects.filter(pk=broadcast.pk).update(delivery_time=timezone.now())
    settings.BROADCAST_CHUNK_STALL_SECONDS = 60
    # Generation queues the chunk; the worker holding the task dies before it begins.
    lost: list[int] = []
    with monkeypatch.context() as patch:
        patch.setattr(tasks.broadcast_send_chunk, "delay", lost.append)
        broadcast_generate(broadcast_id=broadcast.pk)
    chunk = BroadcastChunk.objects.get(broadcast=broadcast)
    assert lost == [chunk.pk]
    assert chunk.started_at is None and chunk.status == BroadcastChunk.Status.PENDING
    assert broadcast_chunks_dispatch() == 0  # queued a moment ago: not presumed lost yet
    BroadcastChunk.objects.filter(pk=chunk.pk).update(
        dispatched_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert broadcast_chunks_dispatch() == 1  # silent past the stall limit: queued again
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    assert _sent_to(broadcast) == {people["ann"].pk, people["ben"].pk}
