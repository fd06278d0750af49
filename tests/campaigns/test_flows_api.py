"""The API's profile_update runs an opt-in path's flow once only; clear_conversation ends a step."""

import pytest

from accounts.models import Company
from campaigns.models import FlowRun, FlowStep, Subscription
from messaging.models import Message, MOType, MTType
from profiles.models import CustomField, CustomFieldValue, Profile
from tests import api_samples
from tests.api_client import api_post, ok, sample, shape
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text

pytestmark = pytest.mark.django_db

NUMBER = "12025551234"
PHONE = "+" + NUMBER


@pytest.fixture
def path(company):
    campaign = make_campaign(company, "Alerts")
    path = make_opt_in_path(campaign, "Web")
    path.welcome_message = "Welcome!"
    path.save()
    field = CustomField.objects.create(company=company, name="Team")
    FlowStep.objects.create(
        company=company,
        opt_in_path=path,
        position=0,
        kind=FlowStep.Kind.QUESTION,
        body="Which team?",
        custom_field=field,
    )
    return path


def _mts():
    return list(
        Message.objects.filter(direction=Message.Direction.MT)
        .order_by("id")
        .values_list("message_type", "body")
    )


def test_profile_update_with_an_opt_in_path_sends_its_flow(alice, path):
    ok(api_post(alice, "profile_update", {"phone_number": NUMBER, "opt_in_path_id": path.pk}))
    assert _mts() == [(MTType.REGULAR_TEXT, "Welcome!"), (MTType.QUESTION, "Which team?")]
    assert Message.objects.filter(sent_by=alice).count() == 2
    result = receive_text(Company.objects.get(name="Acme Action"), PHONE, "Blue")
    assert result.message.message_type == MOType.QUESTION_RESPONSE
    assert CustomFieldValue.objects.get().value == "Blue"


def test_profile_update_runs_the_flow_once_only(alice, path):
    data = {"phone_number": NUMBER, "opt_in_path_id": path.pk}
    ok(api_post(alice, "profile_update", data))
    ok(api_post(alice, "profile_update", data))
    assert len(_mts()) == 2
    assert FlowRun.objects.count() == 1


def test_profile_update_runs_nothing_for_a_number_once_subscribed(alice, path, company):
    profile = make_profile(company, PHONE)
    Subscription.objects.create(
        company=company,
        profile=profile,
        campaign=path.campaign,
        status=Subscription.Status.OPTED_OUT,
    )
    ok(api_post(alice, "profile_update", {"phone_number": NUMBER, "opt_in_path_id": path.pk}))
    assert _mts() == []
    assert not FlowRun.objects.exists()


def test_profile_update_on_a_double_opt_in_path_asks_once_and_never_again(alice, path):
    path.double_opt_in = True
    path.confirmation_text = "Reply Y to join Alerts."
    path.save()
    data = {"phone_number": NUMBER, "opt_in_path_id": path.pk}
    element = ok(api_post(alice, "profile_update", data)).find("profile")
    assert element.findtext("status") == "Profiles with no Subscriptions"
    assert _mts() == [(MTType.OPT_IN_CONFIRMATION, "Reply Y to join Alerts.")]
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    receive_text(Company.objects.get(name="Acme Action"), PHONE, "N")
    assert not Subscription.objects.exists()
    # Asked once: the API may not ask the declined number again.
    ok(api_post(alice, "profile_update", data))
    assert len(_mts()) == 1
    assert not Subscription.objects.exists()


def test_clear_conversation_ends_the_open_step(bob, alice, path):
    ok(api_post(alice, "profile_update", {"phone_number": NUMBER, "opt_in_path_id": path.pk}))
    data = {"campaign_id": path.campaign_id, "phone_number": NUMBER}
    root = ok(api_post(bob, "clear_conversation", data))
    assert shape(root) == shape(sample(api_samples.CLEAR_CONVERSATION))
    assert FlowRun.objects.get().state == FlowRun.State.CLEARED
    result = receive_text(Company.objects.get(name="Acme Action"), PHONE, "Blue")
    assert result.message.message_type == MOType.REPLY
    assert not CustomFieldValue.objects.exists()
    assert Profile.objects.get(phone_number=PHONE).standing.status == "Active Subscriber"


def test_clear_conversation_of_another_campaign_leaves_the_step(bob, alice, path, company):
    ok(api_post(alice, "profile_update", {"phone_number": NUMBER, "opt_in_path_id": path.pk}))
    other = make_campaign(company, "Other")
    ok(api_post(bob, "clear_conversation", {"campaign_id": other.pk, "phone_number": NUMBER}))
    assert FlowRun.objects.get().state == FlowRun.State.WAITING
