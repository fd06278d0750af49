import pytest

from campaigns.services_subscriptions import profile_opt_out
from messaging.models import Conversation, Message, MTType
from messaging.services import SendError, message_deliver, message_send, message_send_many
from profiles.models import OptOutSource, Profile
from tests.factories import make_campaign, make_profile, make_subscription, set_standing

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    return make_campaign(company)


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550101")
    make_subscription(profile, campaign)
    return profile


def test_a_message_to_a_subscriber_is_queued_then_sent_once(
    company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(company=company, profile=subscriber, body="Hi", campaign=campaign)
    assert message.status == Message.Status.QUEUED
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert [m["to"] for m in fake_outbox.outbox] == ["+12025550101"]
    # A redelivered task finds the message Sent and sends nothing again.
    assert message_deliver(message_id=message.pk) == "skipped"
    assert fake_outbox.sent_count == 1


def test_a_message_to_an_opted_out_number_is_undeliverable_and_never_handed_over(
    company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks
):
    profile_opt_out(profile=subscriber, source=OptOutSource.STOP_WORD, campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(company=company, profile=subscriber, body="Hi", campaign=campaign)
    message.refresh_from_db()
    assert message.status == Message.Status.UNDELIVERABLE
    assert message.status_reason == f"Opted out of {campaign.name}"
    assert fake_outbox.sent_count == 0


def test_a_stop_that_arrives_while_the_message_waits_in_the_queue_wins(
    company, campaign, subscriber, fake_outbox
):
    message = message_send(
        company=company, profile=subscriber, body="Hi", campaign=campaign, enqueue=False
    )
    profile_opt_out(profile=subscriber, source=OptOutSource.STOP_WORD)
    assert message_deliver(message_id=message.pk) == "undeliverable"
    message.refresh_from_db()
    assert message.status == Message.Status.UNDELIVERABLE
    assert fake_outbox.sent_count == 0


def test_an_opt_out_receipt_reaches_the_number_that_just_opted_out(
    company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks
):
    profile_opt_out(profile=subscriber, source=OptOutSource.STOP_WORD)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = message_send(
            company=company,
            profile=subscriber,
            body=campaign.opt_out_text,
            campaign=campaign,
            message_type=MTType.OPT_OUT_RECEIPT,
            compliance_exempt_types={MTType.OPT_OUT_RECEIPT},
        )
    receipt.refresh_from_db()
    assert receipt.status == Message.Status.SENT
    assert fake_outbox.sent_count == 1


def test_an_opt_out_receipt_still_respects_a_blacklist(company, campaign, subscriber):
    Profile.objects.filter(pk=subscriber.pk).update(blacklisted=True)
    set_standing(subscriber, opted_out_globally=True)
    receipt = message_send(
        company=company,
        profile=subscriber,
        body="Bye",
        campaign=campaign,
        message_type=MTType.OPT_OUT_RECEIPT,
        compliance_exempt_types={MTType.OPT_OUT_RECEIPT},
    )
    assert receipt.status == Message.Status.UNDELIVERABLE


def test_no_other_message_type_may_be_exempted(company, campaign, subscriber):
    with pytest.raises(SendError):
        message_send(
            company=company,
            profile=subscriber,
            body="Buy now",
            campaign=campaign,
            compliance_exempt_types={MTType.REGULAR_TEXT},
        )


def test_it_refuses_a_profile_of_another_company(company, other_company, campaign):
    outsider = make_profile(other_company)
    with pytest.raises(SendError):
        message_send(company=company, profile=outsider, body="Hi", campaign=campaign)


def test_it_stores_encoding_segments_and_converts_emoji_shortcodes(company, campaign, subscriber):
    message = message_send(
        company=company, profile=subscriber, body="Thanks :smile:", campaign=campaign, enqueue=False
    )
    assert message.body == "Thanks 😄"
    assert (message.encoding, message.segments, message.multipart) == ("UCS-2", 1, False)
    long = message_send(
        company=company, profile=subscriber, body="x" * 200, campaign=campaign, enqueue=False
    )
    assert (long.encoding, long.segments, long.multipart, long.channel) == ("GSM-7", 2, True, "sms")
    media = message_send(
        company=company,
        profile=subscriber,
        body="Look",
        campaign=campaign,
        media_url="https://example.org/a.png",
        enqueue=False,
    )
    assert media.channel == "mms"


def test_a_direct_message_makes_the_conversation_await_a_direct_reply(
    company, campaign, subscriber, bob
):
    message = message_send(
        company=company,
        profile=subscriber,
        body="How can I help?",
        campaign=campaign,
        message_type=MTType.DIRECT_MESSAGE,
        sent_by=bob,
        enqueue=False,
    )
    conversation = Conversation.objects.get(profile=subscriber, campaign=campaign)
    assert conversation.awaiting == Conversation.Awaiting.DIRECT
    assert conversation.last_message == message
    assert message.sent_by == bob


def test_a_broadcast_message_is_created_once_per_profile(company, campaign, subscriber):
    from campaigns.models import Broadcast

    broadcast = Broadcast.objects.create(company=company, campaign=campaign, name="B", body="Hi")
    first = message_send(
        company=company, profile=subscriber, body="Hi", campaign=campaign, broadcast=broadcast,
        enqueue=False,
    )  # fmt: skip
    again = message_send(
        company=company, profile=subscriber, body="Hi", campaign=campaign, broadcast=broadcast,
        enqueue=False,
    )  # fmt: skip
    assert first.pk == again.pk


def test_sending_to_many_applies_the_same_rule_and_is_idempotent_per_broadcast(
    company, campaign, fake_outbox, django_capture_on_commit_callbacks
):
    from campaigns.models import Broadcast

    ok = [make_profile(company) for _ in range(3)]
    for profile in ok:
        make_subscription(profile, campaign)
    blocked = make_profile(company, blacklisted=True)
    landline = make_profile(company, number_type="landline")
    opted = make_profile(company)
    make_subscription(opted, campaign, status="Opted-Out")
    broadcast = Broadcast.objects.create(company=company, campaign=campaign, name="B", body="Hi")
    everyone = Profile.objects.for_company(company)
    with django_capture_on_commit_callbacks(execute=True):
        result = message_send_many(
            company=company, profiles=everyone, body="Hi", campaign=campaign, broadcast=broadcast,
            batch_size=2,
        )  # fmt: skip
    assert (result.queued, result.undeliverable) == (3, 3)
    statuses = dict(Message.objects.filter(broadcast=broadcast).values_list("profile_id", "status"))
    assert all(statuses[p.pk] == Message.Status.SENT for p in ok)
    for profile in (blocked, landline, opted):
        assert statuses[profile.pk] == Message.Status.UNDELIVERABLE
    assert sorted(m["to"] for m in fake_outbox.outbox) == sorted(p.phone_number for p in ok)
    again = message_send_many(
        company=company, profiles=everyone, body="Hi", campaign=campaign, broadcast=broadcast
    )
    assert (again.queued, again.undeliverable) == (0, 0)
    assert Message.objects.filter(broadcast=broadcast).count() == 6


def test_sending_to_many_refuses_a_stored_number_that_is_not_a_valid_mobile(
    company, campaign, fake_outbox, django_capture_on_commit_callbacks
):
    from campaigns.compliance import Reason

    good = make_profile(company)
    make_subscription(good, campaign)
    # A number stored before validation existed: SQL sees nothing wrong with the row.
    broken = make_profile(company)
    Profile.objects.filter(pk=broken.pk).update(phone_number="+1202555", number_type="")
    make_subscription(broken, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        result = message_send_many(
            company=company, profiles=Profile.objects.filter(pk__in=[good.pk, broken.pk]),
            body="Hi", campaign=campaign,
        )  # fmt: skip
    assert (result.queued, result.undeliverable) == (1, 1)
    refused = Message.objects.get(profile=broken)
    assert (refused.status, refused.status_reason) == (
        Message.Status.UNDELIVERABLE,
        Reason.INVALID_NUMBER,
    )
    assert [m["to"] for m in fake_outbox.outbox] == [good.phone_number]
    assert sorted(result.message_ids) == sorted(
        Message.objects.filter(direction=Message.Direction.MT).values_list("pk", flat=True)
    )


def test_sending_to_many_later_keeps_the_messages_until_they_are_due(
    company, campaign, fake_outbox
):
    import datetime as dt

    from django.utils import timezone

    profile = make_profile(company)
    make_subscription(profile, campaign)
    later = timezone.now() + dt.timedelta(hours=2)
    result = message_send_many(
        company=company, profiles=Profile.objects.filter(pk=profile.pk), body="Later",
        campaign=campaign, scheduled_at=later,
    )  # fmt: skip
    message = Message.objects.get(pk=result.message_ids[0])
    assert (message.status, message.scheduled_at) == (Message.Status.INITIAL, later)
    assert result.queued == 0
    assert list(fake_outbox.outbox) == []
