"""No surprises when sending: every path that sends asks with the count, saving and
scheduling succeed or fail together, drafts go away, scheduled broadcasts cancel, the
estimate is current, and a test goes to the sender's own phone."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from campaigns.api import broadcast_api_error
from campaigns.broadcast_actions import broadcast_cancel, broadcast_delete
from campaigns.broadcasts import (
    BroadcastError,
    BroadcastTimeError,
    broadcast_create,
    broadcast_schedule,
)
from campaigns.models import Broadcast, Subscription
from messaging.models import Message, MTType
from tests.factories import make_campaign, make_profile, make_subscription, next_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    campaign = make_campaign(company, "Action Alerts")
    for _ in range(4):
        make_subscription(make_profile(company), campaign)
    return campaign


def compose_url(campaign):
    return f"/campaigns/{campaign.pk}/broadcasts/new/"


NOW = {"body": "Polls are open", "include_subscribers": "on", "send": "now"}


def test_send_now_from_the_compose_form_asks_with_the_count_and_campaign_first(
    campaign, alice, client_as
):
    response = client_as(alice).post(compose_url(campaign), NOW)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Send to 4 recipients of Action Alerts now?" in page
    assert ">Send to 4 now</button>" in page
    assert not Broadcast.objects.exists()
    assert not Message.objects.exists()
    response = client_as(alice).post(compose_url(campaign), {**NOW, "confirmed": "1"})
    assert response.status_code == 302
    assert Broadcast.objects.get().status == Broadcast.Status.SCHEDULED


def test_send_at_a_time_names_the_moment_in_the_campaigns_zone_before_scheduling(
    campaign, alice, client_as
):
    data = {**NOW, "send": "later", "delivery_time": "2099-11-03T09:30"}
    page = client_as(alice).post(compose_url(campaign), data).content.decode()
    assert "Schedule for 4 recipients of Action Alerts, for Nov 3, 2099 09:30" in page
    assert "America/New_York" in page
    assert not Broadcast.objects.exists()


def test_saving_a_draft_needs_no_confirmation_and_sends_nothing(campaign, alice, client_as):
    response = client_as(alice).post(compose_url(campaign), {**NOW, "send": "draft"})
    assert response.status_code == 302
    assert Broadcast.objects.get().status == Broadcast.Status.DRAFT


def test_going_back_from_the_confirmation_keeps_what_was_typed(campaign, alice, client_as):
    response = client_as(alice).post(compose_url(campaign), {**NOW, "back": "1", "confirmed": "1"})
    assert "Polls are open" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_a_past_time_on_the_form_creates_nothing_and_the_fixed_retry_creates_one(
    campaign, alice, client_as
):
    past = {**NOW, "send": "later", "delivery_time": "2001-01-01T09:00", "confirmed": "1"}
    response = client_as(alice).post(compose_url(campaign), past)
    assert "The delivery time is in the past." in response.content.decode()
    assert not Broadcast.objects.exists()
    # Asking again refuses the time too, before the question.
    asked = client_as(alice).post(compose_url(campaign), {**past, "confirmed": ""})
    assert "in the past" in asked.content.decode()
    fixed = {**past, "delivery_time": "2099-01-01T09:00"}
    assert client_as(alice).post(compose_url(campaign), fixed).status_code == 302
    assert Broadcast.objects.count() == 1


def test_broadcast_create_with_a_past_time_writes_nothing(campaign):
    with pytest.raises(BroadcastError) as error:
        broadcast_create(
            campaign=campaign, body="Hi", schedule_at=timezone.now() - dt.timedelta(days=1)
        )
    assert isinstance(error.value, BroadcastTimeError)
    assert broadcast_api_error(error.value).code == 2  # Invalid broadcast time
    assert not Broadcast.objects.exists()
    made = broadcast_create(
        campaign=campaign, body="Hi", schedule_at=timezone.now() + dt.timedelta(days=1)
    )
    assert made.status == Broadcast.Status.SCHEDULED
    assert Broadcast.objects.count() == 1


def test_the_detail_pages_send_button_names_the_count_and_asks(campaign, alice, client_as):
    broadcast = broadcast_create(campaign=campaign, body="Hi")
    client = client_as(alice)
    detail = client.get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert ">Send to 4 now</a>" in detail
    confirm = client.get(reverse("campaigns:broadcast_confirm", args=[broadcast.pk, "send-now"]))
    assert "Send to 4 recipients of Action Alerts now?" in confirm.content.decode()
    # A POST that skipped the question is sent to it, and nothing is sent.
    state = reverse("campaigns:broadcast_state", args=[broadcast.pk, "send-now"])
    assert client.post(state).url.endswith("/confirm/send-now/")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT
    client.post(state, {"confirmed": "1"})
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SCHEDULED


def test_a_scheduled_broadcast_shows_its_current_estimate_with_the_time_it_was_counted(
    campaign, company, alice, client_as
):
    broadcast = broadcast_create(
        campaign=campaign, body="Hi", schedule_at=timezone.now() + dt.timedelta(days=2)
    )
    # Subscribers who joined after it was saved (as the demo data's broadcasts were
    # saved before their subscribers) count when it is shown.
    for _ in range(3):
        make_subscription(make_profile(company), campaign)
    Broadcast.objects.filter(pk=broadcast.pk).update(estimated_recipients_count=0)
    page = client_as(alice).get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert '<span id="estimated">7</span>' in page
    assert re.search(r'id="estimated-as-of">as of \d+ \w+ \d{4}, \d\d:\d\d [A-Z]+<', page)
    broadcast.refresh_from_db()
    assert broadcast.estimated_recipients_count == 7
    confirm = client_as(alice).get(
        reverse("campaigns:broadcast_confirm", args=[broadcast.pk, "send-now"])
    )
    assert "Send to 7 recipients" in confirm.content.decode()


def test_a_draft_is_deleted_after_confirmation_and_a_scheduled_one_is_not(
    campaign, alice, client_as
):
    draft = broadcast_create(campaign=campaign, body="Hi")
    client = client_as(alice)
    ask = client.get(reverse("campaigns:broadcast_confirm", args=[draft.pk, "delete"]))
    assert "Delete the draft" in ask.content.decode()
    delete = reverse("campaigns:broadcast_state", args=[draft.pk, "delete"])
    client.post(delete)  # no confirmation: nothing happens
    assert Broadcast.objects.filter(pk=draft.pk).exists()
    assert client.post(delete, {"confirmed": "1"}).url == reverse("campaigns:broadcast_list")
    assert not Broadcast.objects.filter(pk=draft.pk).exists()
    scheduled = broadcast_create(campaign=campaign, body="Hi", schedule_at="now")
    with pytest.raises(BroadcastError, match="Only a draft can be deleted"):
        broadcast_delete(broadcast=scheduled)


def test_a_canceled_broadcast_is_listed_under_canceled_and_never_starts(campaign, alice, client_as):
    later = timezone.now() + dt.timedelta(days=1)
    broadcast = broadcast_create(campaign=campaign, body="Hi", schedule_at=later)
    client = client_as(alice)
    cancel = reverse("campaigns:broadcast_state", args=[broadcast.pk, "cancel"])
    client.post(cancel, {"confirmed": "1"})
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELED
    tab = client.get("/campaigns/broadcasts/?status=canceled").content.decode()
    assert f"/campaigns/broadcasts/{broadcast.pk}/" in tab
    from messaging.broadcast_sending import broadcast_generate

    assert broadcast_generate(broadcast_id=broadcast.pk)["skipped"] == "canceled"


def test_a_broadcast_that_started_sending_cannot_be_canceled(campaign):
    broadcast = broadcast_create(campaign=campaign, body="Hi")
    broadcast_schedule(broadcast=broadcast)
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)
    with pytest.raises(BroadcastError, match="already started sending"):
        broadcast_cancel(broadcast=broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING


def test_only_broadcasters_confirm_cancel_delete_or_test(campaign, bob, charlie, client_as):
    broadcast = broadcast_create(campaign=campaign, body="Hi")
    for user in (bob, charlie):
        client = client_as(user)
        for action in ("send-now", "cancel", "delete"):
            url = reverse("campaigns:broadcast_confirm", args=[broadcast.pk, action])
            assert client.get(url).status_code == 403
            state = reverse("campaigns:broadcast_state", args=[broadcast.pk, action])
            assert client.post(state, {"confirmed": "1"}).status_code == 403
        test = reverse("campaigns:broadcast_test", args=[broadcast.pk])
        assert client.post(test, {"test_phone": next_phone()}).status_code == 403
        compose = reverse("campaigns:compose_test", args=[campaign.pk])
        assert client.post(compose, {"body": "x", "test_phone": next_phone()}).status_code == 403
    assert Broadcast.objects.filter(pk=broadcast.pk, status="draft").exists()
    assert not Message.objects.exists()


def test_a_test_send_reaches_the_senders_phone_and_is_not_counted_in_the_broadcast(
    campaign, company, alice, client_as
):
    broadcast = broadcast_create(campaign=campaign, body="Polls open :tada:")
    phone = next_phone()
    response = client_as(alice).post(
        reverse("campaigns:broadcast_test", args=[broadcast.pk]), {"test_phone": phone}
    )
    assert response.status_code == 302
    message = Message.objects.get(phone_number=phone)
    assert message.message_type == MTType.BROADCAST_TEST
    assert message.broadcast_id is None
    assert message.status == Message.Status.QUEUED
    assert message.body == "Polls open 🎉"
    assert message.sent_by == alice
    # The number is remembered for the next test, on this company's membership.
    assert Membership.objects.get(user=alice, company=company).test_phone == phone
    page = client_as(alice).get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert f'value="{phone}"' in page
    assert "Polls open 🎉" in page  # the preview, as the phone shows it
    assert "1 segment · UCS-2" in page
    # The tester's profile is no subscriber: the broadcast's audience is unchanged.
    assert not Subscription.objects.filter(profile=message.profile).exists()


def test_a_test_to_an_opted_out_number_is_refused_with_the_reason(
    campaign, company, alice, client_as
):
    tester = make_profile(company, opted_out_globally=True)
    response = client_as(alice).post(
        reverse("campaigns:compose_test", args=[campaign.pk]),
        {"body": "Hello", "test_phone": tester.phone_number, "send": "draft"},
    )
    page = response.content.decode()
    assert "The test was not sent" in page and "Opted out of all campaigns" in page
    assert Message.objects.get(profile=tester).status == Message.Status.UNDELIVERABLE
    assert not Broadcast.objects.exists()  # the compose form saved nothing
    assert Membership.objects.get(user=alice, company=company).test_phone == ""


def test_a_test_to_a_landline_or_nonsense_is_refused_before_sending(campaign, alice, client_as):
    response = client_as(alice).post(
        reverse("campaigns:compose_test", args=[campaign.pk]),
        {"body": "Hello", "test_phone": "not a number"},
    )
    assert "cannot receive a test" in response.content.decode()
    assert not Message.objects.exists()
