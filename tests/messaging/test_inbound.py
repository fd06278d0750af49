import pytest

from accounts.models import Company
from campaigns.models import Broadcast, Subscription
from messaging.models import Conversation, Message, MOType, MTType
from messaging.services import message_send
from profiles.models import OptOutSource, Profile, SourceType
from tests.factories import (
    make_campaign,
    make_opt_in_path,
    make_profile,
    make_subscription,
    receive_text,
)

pytestmark = pytest.mark.django_db

PHONE = "+12025550142"


@pytest.fixture
def campaign(company):
    return make_campaign(
        company,
        "Alerts",
        help_text="Acme Alerts: reply STOP to end.",
        opt_out_text="Bye from Acme.",
    )


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, PHONE)
    make_subscription(profile, campaign)
    return profile


def _receive(body, phone=PHONE, **extra):
    return receive_text(Company.objects.get(name="Acme Action"), phone, body, **extra)


def _mts(profile, message_type):
    return Message.objects.filter(
        profile=profile, direction=Message.Direction.MT, message_type=message_type
    )


@pytest.mark.parametrize(
    "body",
    ["STOP", "stop", " Stop. ", "S T O P", "UNSUBSCRIBE", "cancel", "End", "quit!",
     "revoke", "OPT OUT", "opt-out", "optout", "Stop!!!"],
)  # fmt: skip
def test_a_stop_word_opts_out_of_the_campaign_being_texted(subscriber, campaign, body):
    result = _receive(body)
    assert result.message.message_type == MOType.OPT_OUT
    assert result.message.campaign == campaign
    sub = Subscription.objects.get(profile=subscriber, campaign=campaign)
    assert sub.status == Subscription.Status.OPTED_OUT
    assert sub.opt_out_source == OptOutSource.STOP_WORD
    receipt = _mts(subscriber, MTType.OPT_OUT_RECEIPT).get()
    assert receipt.body == "Bye from Acme."
    assert receipt.status == Message.Status.QUEUED


@pytest.mark.parametrize(
    "body",
    ["Don't stop", "I want to end this call later", "STOPPED", "cancellation", "stop and help"],
)  # fmt: skip
def test_a_sentence_that_merely_contains_a_stop_word_is_not_an_opt_out(subscriber, campaign, body):
    # A sentence that revokes consent ("please stop texting me") is an opt-out of its
    # own: tests/messaging/test_revocation_inbound.py.
    result = _receive(body)
    assert result.message.message_type == MOType.REPLY
    assert Subscription.objects.get(profile=subscriber).status == Subscription.Status.ACTIVE
    assert not _mts(subscriber, MTType.OPT_OUT_RECEIPT).exists()


@pytest.mark.parametrize("body", ["STOP ALL", "stop all", "StopAll", "STOPALL."])
def test_stop_all_is_a_deactivation_that_leaves_every_campaign(company, subscriber, body):
    other = make_campaign(company, "News")
    make_subscription(subscriber, other)
    result = _receive(body)
    assert result.message.message_type == MOType.DEACTIVATION
    subscriber.refresh_from_db()
    assert subscriber.standing.opted_out_globally
    assert not subscriber.subscriptions.filter(status="Active").exists()


def test_a_stop_from_a_number_of_unknown_campaign_opts_out_of_everything(company):
    alerts, news = make_campaign(company, "A"), make_campaign(company, "B")
    profile = make_profile(company, PHONE)
    make_subscription(profile, alerts)
    make_subscription(profile, news)
    result = _receive("STOP")
    assert result.message.message_type == MOType.UNKNOWN_OPT_OUT
    profile.refresh_from_db()
    assert profile.standing.opted_out_globally


def test_the_opt_out_receipt_is_sent_once_however_often_stop_is_texted(subscriber, campaign):
    _receive("STOP", gateway_message_id="g1")
    Message.objects.filter(direction="mo").update(created_at="2020-01-01T00:00Z")
    _receive("STOP", gateway_message_id="g2")
    assert _mts(subscriber, MTType.OPT_OUT_RECEIPT).count() == 1


def test_a_redelivered_webhook_is_not_processed_twice(subscriber):
    first = _receive("HELP", gateway_message_id="same")
    again = _receive("HELP", gateway_message_id="same")
    assert first.message.pk == again.message.pk
    assert _mts(subscriber, MTType.HELP_RESPONSE).count() == 1


def test_help_answers_with_the_campaign_help_text(subscriber, campaign):
    result = _receive("help")
    assert result.message.message_type == MOType.HELP_REQUEST
    assert _mts(subscriber, MTType.HELP_RESPONSE).get().body == "Acme Alerts: reply STOP to end."


def test_help_from_a_number_of_unknown_campaign_gets_the_company_help(company):
    make_profile(company, PHONE)
    result = _receive("HELP")
    assert result.message.message_type == MOType.UNKNOWN_HELP_REQUEST
    assert "Acme Action" in result.replies[0].body


def test_oops_rejoins_what_the_last_stop_left(subscriber, campaign):
    _receive("STOP")
    result = _receive("oops")
    assert result.message.message_type == MOType.REACTIVATION
    assert subscriber.subscriptions.filter(campaign=campaign, status="Active").exists()
    assert subscriber.subscriptions.count() == 2  # the opted-out row stays as history
    Message.objects.filter(direction="mo").update(created_at="2020-01-01T00:00Z")
    assert _receive("OOPS").message.message_type == MOType.UNKNOWN


def test_oops_does_not_rejoin_a_campaign_left_by_another_way(subscriber, campaign):
    from campaigns.services_subscriptions import profile_opt_out

    profile_opt_out(profile=subscriber, source=OptOutSource.INBOX, campaign=campaign)
    assert _receive("OOPS").message.message_type == MOType.UNKNOWN
    assert not subscriber.subscriptions.filter(status="Active").exists()


def test_a_keyword_opts_a_new_number_in_and_sends_the_welcome(company, campaign):
    path = make_opt_in_path(campaign, "Join", keyword="JOIN")
    path.welcome_message = "Welcome to Acme Alerts!"
    path.save()
    result = _receive(" join ")
    assert result.message.message_type == MOType.OPT_IN
    profile = Profile.objects.get(company=company, phone_number=PHONE)
    assert profile.source_type == SourceType.KEYWORD
    assert profile.source_name == "JOIN"
    sub = profile.subscriptions.get()
    assert (sub.campaign, sub.opt_in_path, sub.status) == (campaign, path, "Active")
    assert [m.body for m in result.replies] == ["Welcome to Acme Alerts!"]


def test_a_keyword_texted_again_is_a_duplicate_opt_in(company, campaign):
    make_opt_in_path(campaign, "Join", keyword="JOIN")
    _receive("JOIN")
    Message.objects.filter(direction="mo").update(created_at="2020-01-01T00:00Z")
    assert _receive("JOIN").message.message_type == MOType.DUPLICATE_OPT_IN
    assert Subscription.objects.filter(profile__phone_number=PHONE).count() == 1


@pytest.mark.parametrize(
    ("mt_type", "mo_type"),
    [
        (MTType.QUESTION, MOType.QUESTION_RESPONSE),
        (MTType.INFO_REQUEST, MOType.INFO_RESPONSE),
        (MTType.DIRECT_MESSAGE, MOType.DIRECT_RESPONSE),
    ],
)
def test_a_reply_to_a_question_info_request_or_chat_is_saved_as_its_answer(
    company, subscriber, campaign, mt_type, mo_type
):
    asked = message_send(
        company=company, profile=subscriber, body="?", campaign=campaign, message_type=mt_type
    )
    result = _receive("Blue")
    assert result.message.message_type == mo_type
    assert result.message.in_reply_to == asked
    assert result.message.campaign == campaign


def test_a_question_takes_one_answer_and_later_texts_are_replies(company, subscriber, campaign):
    message_send(
        company=company, profile=subscriber, body="?", campaign=campaign,
        message_type=MTType.QUESTION,
    )  # fmt: skip
    _receive("Blue")
    assert Conversation.objects.get(profile=subscriber).awaiting == ""
    assert _receive("And green").message.message_type == MOType.REPLY


def test_a_text_from_a_stranger_is_unmatched_and_creates_a_profile(company):
    result = _receive("hello?")
    assert result.message.message_type == MOType.UNMATCHED
    assert result.message.status == Message.Status.RECEIVED
    profile = result.message.profile
    assert profile.source_type == SourceType.UNKNOWN


def test_a_text_whose_campaign_cannot_be_told_is_unknown(company):
    profile = make_profile(company, PHONE)
    make_subscription(profile, make_campaign(company, "A"))
    make_subscription(profile, make_campaign(company, "B"))
    assert _receive("what's this?").message.message_type == MOType.UNKNOWN


def test_replies_and_opt_outs_to_a_broadcast_are_counted(company, campaign, subscriber):
    other = make_profile(company, "+12025550143")
    make_subscription(other, campaign)
    broadcast = Broadcast.objects.create(company=company, campaign=campaign, name="B", body="Hi")
    for profile in (subscriber, other):
        message_send(
            company=company, profile=profile, body="Hi", campaign=campaign, broadcast=broadcast
        )
    _receive("Thanks!")
    _receive("STOP", phone="+12025550143")
    broadcast.refresh_from_db()
    assert (broadcast.replies_count, broadcast.opt_outs_count) == (2, 1)


def test_two_identical_texts_at_once_are_processed_once(subscriber):
    _receive("HELP", gateway_message_id="a")
    second = _receive("HELP", gateway_message_id="b")
    assert second.message.message_type == MOType.SIMULTANEOUS
    assert _mts(subscriber, MTType.HELP_RESPONSE).count() == 1


def test_if_the_opt_out_fails_the_message_is_not_stored_either(subscriber, monkeypatch):
    import messaging.inbound as inbound

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "profile_opt_out", broken)
    with pytest.raises(RuntimeError):
        _receive("STOP")
    assert not Message.objects.filter(direction="mo").exists()
