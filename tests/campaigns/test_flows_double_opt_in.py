"""Double opt-in: pending until YES, nothing else sent meanwhile; NO or silence leave nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Company
from campaigns.broadcasts import broadcast_create, broadcast_schedule
from campaigns.compliance import PENDING_CONFIRMATION, refusal_reason
from campaigns.models import FlowRun, FlowStep, Subscription
from messaging import tasks
from messaging.flows import flows_expire_pending
from messaging.models import Message, MOType, MTType
from messaging.services import message_send
from profiles.models import CustomField, Group, GroupMembership, Profile, ProfileStatus
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text

pytestmark = pytest.mark.django_db

PHONE = "+12025550142"


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def path(campaign, company):
    path = make_opt_in_path(campaign, "Double", keyword="JOIN")
    path.welcome_message = "Welcome!"
    path.double_opt_in = True
    path.confirmation_text = "Reply YES to get Alerts texts, NO to cancel."
    path.confirmation_window_hours = 2
    path.save()
    field = CustomField.objects.create(company=company, name="Color")
    FlowStep.objects.create(
        company=company,
        opt_in_path=path,
        position=0,
        kind=FlowStep.Kind.QUESTION,
        body="Favourite color?",
        custom_field=field,
    )
    return path


def _receive(body, phone=PHONE):
    return receive_text(Company.objects.get(name="Acme Action"), phone, body)


def _sent(phone=PHONE):
    return list(
        Message.objects.filter(phone_number=phone, direction=Message.Direction.MT)
        .order_by("id")
        .values_list("message_type", "body", "status")
    )


def _profile():
    return Profile.objects.select_related("standing").get(phone_number=PHONE)


def test_a_keyword_leaves_the_subscription_pending_and_sends_only_the_request(path):
    result = _receive("JOIN")
    assert result.message.message_type == MOType.OPT_IN
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.activated_at is None
    assert _sent() == [
        (MTType.OPT_IN_CONFIRMATION, "Reply YES to get Alerts texts, NO to cancel.", "Queued")
    ]
    # Seed 001: pending confirmation is not an Active Subscriber.
    assert _profile().standing.status == ProfileStatus.NONE


def test_yes_confirms_then_the_welcome_and_the_steps_follow(path):
    _receive("JOIN")
    request = Message.objects.get(message_type=MTType.OPT_IN_CONFIRMATION)
    result = _receive("Yes!")
    assert result.message.message_type == MOType.OPT_IN_CONFIRMATION
    assert result.message.in_reply_to == request
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.activated_at is not None
    assert [(t, b) for t, b, _ in _sent()[1:]] == [
        (MTType.REGULAR_TEXT, "Welcome!"),
        (MTType.QUESTION, "Favourite color?"),
    ]
    assert _profile().standing.status == ProfileStatus.ACTIVE
    assert _receive("teal").message.message_type == MOType.QUESTION_RESPONSE


def test_no_declines_and_leaves_no_subscription(path):
    _receive("JOIN")
    result = _receive("n")
    assert result.message.message_type == MOType.OPT_IN_DECLINATION
    assert not Subscription.objects.exists()
    assert FlowRun.objects.get().state == FlowRun.State.DECLINED
    assert len(_sent()) == 1
    assert _receive("yes").message.message_type == MOType.REPLY


def test_other_texts_while_pending_fall_back_and_get_nothing(path):
    _receive("JOIN")
    assert _receive("what is this?").message.message_type == MOType.REPLY
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert len(_sent()) == 1


def test_the_keyword_again_while_pending_asks_again_without_a_second_row(path):
    _receive("JOIN")
    assert _receive("join").message.message_type == MOType.DUPLICATE_OPT_IN
    assert Subscription.objects.count() == 1
    assert [t for t, _, _ in _sent()] == [MTType.OPT_IN_CONFIRMATION, MTType.OPT_IN_CONFIRMATION]


def test_no_answer_in_the_window_leaves_no_subscription(path):
    _receive("JOIN")
    assert flows_expire_pending() == {"expired": 0}
    later = timezone.now() + dt.timedelta(hours=2, minutes=1)
    assert flows_expire_pending(now=later) == {"expired": 1}
    assert not Subscription.objects.exists()
    assert FlowRun.objects.get().state == FlowRun.State.EXPIRED
    assert flows_expire_pending(now=later) == {"expired": 0}


def test_a_late_yes_before_the_sweep_subscribes_nothing(path):
    _receive("JOIN")
    FlowRun.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert _receive("YES").message.message_type == MOType.REPLY
    assert not Subscription.objects.exists()
    assert len(_sent()) == 1


def test_the_periodic_task_takes_a_lock_and_reports(path, settings):
    _receive("JOIN")
    FlowRun.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    from django.core.cache import cache

    cache.add("lock:flows_expire_pending", "1", 60)
    assert tasks.flows_expire_pending() == {"skipped": "another run is in progress"}
    cache.delete("lock:flows_expire_pending")
    assert tasks.flows_expire_pending() == {"expired": 1}


def test_nothing_but_the_request_reaches_a_pending_number(path, campaign):
    _receive("JOIN")
    profile = _profile()
    assert refusal_reason(profile=profile, campaign=campaign) == PENDING_CONFIRMATION
    assert refusal_reason(profile=profile) == PENDING_CONFIRMATION
    chat = message_send(
        company=profile.company,
        profile=profile,
        body="Hi",
        campaign=campaign,
        message_type=MTType.DIRECT_MESSAGE,
    )
    assert chat.status == Message.Status.UNDELIVERABLE
    assert chat.status_reason == PENDING_CONFIRMATION
    request = message_send(
        company=profile.company,
        profile=profile,
        body="Reply YES",
        campaign=campaign,
        message_type=MTType.OPT_IN_CONFIRMATION,
    )
    assert request.status == Message.Status.QUEUED


def test_a_number_pending_in_one_campaign_may_get_another_campaigns_texts(path, company):
    _receive("JOIN")
    other = make_campaign(company, "Other")
    profile = _profile()
    Subscription.objects.create(company=company, profile=profile, campaign=other)
    assert refusal_reason(profile=profile, campaign=other) is None


def test_broadcasts_leave_out_pending_numbers_even_through_a_group(
    path, campaign, company, django_capture_on_commit_callbacks
):
    _receive("JOIN")
    pending = _profile()
    member = make_profile(company)
    group = Group.objects.create(company=company, name="Everyone")
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, profile=p) for p in (pending, member)
    )
    broadcast = broadcast_create(campaign=campaign, body="Rally!", included_groups=[group])
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_schedule(broadcast=broadcast)
    reached = Message.objects.filter(broadcast=broadcast)
    assert set(reached.filter(status=Message.Status.SENT).values_list("profile", flat=True)) == {
        member.pk
    }
    assert not reached.filter(profile=pending).exclude(status="Undeliverable").exists()


def test_a_stop_while_pending_ends_it_and_a_later_yes_subscribes_nothing(path):
    _receive("JOIN")
    _receive("STOP")
    assert not Subscription.objects.filter(status=Subscription.Status.PENDING).exists()
    assert FlowRun.objects.get().state == FlowRun.State.ENDED
    _receive("YES")
    assert not Subscription.objects.filter(status=Subscription.Status.ACTIVE).exists()


def test_the_profile_page_shows_pending_and_staff_cannot_skip_the_confirmation(
    path, alice, client_as
):
    _receive("JOIN")
    profile = _profile()
    subscription = Subscription.objects.get()
    page = client_as(alice).get(f"/profiles/{profile.pk}/?tab=subscriptions").content.decode()
    assert "Pending confirmation" in page
    assert f"/subscriptions/{subscription.pk}/reactivate/" not in page
    url = f"/profiles/{profile.pk}/subscriptions/{subscription.pk}/reactivate/"
    client_as(alice).post(url)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING
    assert len(_sent()) == 1
