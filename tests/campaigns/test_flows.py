"""Opt-in path flows: welcome, questions, info requests and messages, answered by text."""

import pytest

from accounts.models import Company
from campaigns.models import FlowRun, FlowStep, Subscription
from messaging.flows import MAX_INVALID_ANSWERS
from messaging.models import Conversation, Message, MOType, MTType
from messaging.services import message_send
from profiles.models import CustomField, CustomFieldType, CustomFieldValue, Profile
from tests.factories import make_campaign, make_opt_in_path, make_profile, receive_text

pytestmark = pytest.mark.django_db

PHONE = "+12025550142"


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def age(company):
    return CustomField.objects.create(company=company, name="Age", field_type=CustomFieldType.AGE)


def step(path, position, kind, body, **fields):
    return FlowStep.objects.create(
        company=path.company, opt_in_path=path, position=position, kind=kind, body=body, **fields
    )


@pytest.fixture
def path(campaign, age):
    path = make_opt_in_path(campaign, "Signup", keyword="JOIN")
    path.welcome_message = "Welcome to Alerts!"
    path.save()
    step(
        path,
        1,
        FlowStep.Kind.QUESTION,
        "How old are you?",
        custom_field=age,
        retry_text="Please reply with your age in years, like 34.",
    )
    step(path, 2, FlowStep.Kind.MESSAGE, "Thanks!")
    step(
        path,
        3,
        FlowStep.Kind.INFO,
        "What is your ZIP code?",
        attribute=FlowStep.Attribute.POSTAL_CODE,
        retry_text="A 5-digit ZIP code, please.",
    )
    return path


def _receive(body, phone=PHONE):
    return receive_text(Company.objects.get(name="Acme Action"), phone, body)


def _sent(phone=PHONE):
    return list(
        Message.objects.filter(phone_number=phone, direction=Message.Direction.MT)
        .order_by("id")
        .values_list("message_type", "body")
    )


def test_a_keyword_sends_the_welcome_then_the_first_question_and_waits(path):
    result = _receive("join")
    assert result.message.message_type == MOType.OPT_IN
    assert _sent() == [
        (MTType.REGULAR_TEXT, "Welcome to Alerts!"),
        (MTType.QUESTION, "How old are you?"),
    ]
    assert [m.pk for m in result.replies] == list(
        Message.objects.filter(direction=Message.Direction.MT)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    run = FlowRun.objects.get()
    assert run.state == FlowRun.State.WAITING and run.step.position == 1


def test_a_good_answer_fills_the_custom_field_and_the_flow_goes_on_to_the_next_wait(path, age):
    _receive("JOIN")
    question = Message.objects.get(message_type=MTType.QUESTION)
    result = _receive(" 34 ")
    assert result.message.message_type == MOType.QUESTION_RESPONSE
    assert result.message.in_reply_to == question
    assert result.message.campaign == path.campaign
    profile = Profile.objects.get(phone_number=PHONE)
    assert CustomFieldValue.objects.get(profile=profile, field=age).value == "34"
    assert _sent()[2:] == [
        (MTType.REGULAR_TEXT, "Thanks!"),
        (MTType.INFO_REQUEST, "What is your ZIP code?"),
    ]
    assert FlowRun.objects.get().step.kind == FlowStep.Kind.INFO


def test_a_bad_answer_gets_the_retry_text_and_saves_nothing(path, age):
    _receive("JOIN")
    result = _receive("old enough")
    assert result.message.message_type == MOType.INVALID_QUESTION_RESPONSE
    assert not CustomFieldValue.objects.filter(field=age).exists()
    assert _sent()[-1] == (MTType.QUESTION, "Please reply with your age in years, like 34.")
    run = FlowRun.objects.get()
    assert run.state == FlowRun.State.WAITING and run.invalid_answers == 1
    assert _receive("41").message.message_type == MOType.QUESTION_RESPONSE
    assert CustomFieldValue.objects.get(field=age).value == "41"


def test_info_requests_save_the_attribute_and_refuse_what_does_not_fit(path):
    _receive("JOIN")
    _receive("34")
    bad = _receive("over there")
    assert bad.message.message_type == MOType.INVALID_INFO_RESPONSE
    assert _sent()[-1] == (MTType.INFO_REQUEST, "A 5-digit ZIP code, please.")
    assert Profile.objects.get(phone_number=PHONE).postal_code == ""
    good = _receive("20001")
    assert good.message.message_type == MOType.INFO_RESPONSE
    assert Profile.objects.get(phone_number=PHONE).postal_code == "20001"
    assert FlowRun.objects.get().state == FlowRun.State.DONE
    # The flow is over: the next text is an ordinary reply.
    assert _receive("thanks").message.message_type == MOType.REPLY


@pytest.mark.parametrize(
    ("attribute", "good", "stored", "bad"),
    [
        (FlowStep.Attribute.EMAIL, "Ana@Example.ORG", "Ana@example.org", "ana at example"),
        (FlowStep.Attribute.FIRST_NAME, "Ana-María", "Ana-María", "4ever"),
        (FlowStep.Attribute.LAST_NAME, "O'Neil", "O'Neil", "!!!"),
        (FlowStep.Attribute.POSTAL_CODE, "20001-1234", "20001-1234", "ZIP"),
    ],
)
def test_each_profile_attribute_is_checked_before_it_is_saved(
    campaign, attribute, good, stored, bad
):
    path = make_opt_in_path(campaign, "Info", keyword="INFO")
    step(path, 0, FlowStep.Kind.INFO, "Tell us", attribute=attribute, retry_text="Again?")
    _receive("INFO")
    assert _receive(bad).message.message_type == MOType.INVALID_INFO_RESPONSE
    assert getattr(Profile.objects.get(phone_number=PHONE), attribute) == ""
    assert _receive(good).message.message_type == MOType.INFO_RESPONSE
    assert getattr(Profile.objects.get(phone_number=PHONE), attribute) == stored


def test_every_field_type_validates_question_answers(campaign, company):
    yesno = CustomField.objects.create(
        company=company, name="Volunteer", field_type=CustomFieldType.YESNO
    )
    path = make_opt_in_path(campaign, "Q", keyword="Q")
    step(path, 0, FlowStep.Kind.QUESTION, "Will you volunteer?", custom_field=yesno)
    _receive("Q")
    assert _receive("perhaps").message.message_type == MOType.INVALID_QUESTION_RESPONSE
    # Without retry text the question itself is asked again.
    assert _sent()[-1] == (MTType.QUESTION, "Will you volunteer?")
    assert _receive("y").message.message_type == MOType.QUESTION_RESPONSE
    assert CustomFieldValue.objects.get(field=yesno).value == "Yes"


def test_repeated_bad_answers_end_the_step_so_later_texts_are_ordinary(path):
    _receive("JOIN")
    for i in range(MAX_INVALID_ANSWERS):
        assert _receive(f"no idea {i}").message.message_type == MOType.INVALID_QUESTION_RESPONSE
    assert FlowRun.objects.get().state == FlowRun.State.ENDED
    retries = [b for t, b in _sent() if t == MTType.QUESTION]
    assert len(retries) == MAX_INVALID_ANSWERS  # the question, then two retries
    assert _receive("hello").message.message_type == MOType.REPLY


def test_a_keyword_while_a_step_waits_is_the_keyword(path, campaign):
    other = make_opt_in_path(campaign, "Other", keyword="MORE")
    other.welcome_message = "More!"
    other.save()
    _receive("JOIN")
    result = _receive("MORE")
    assert result.message.message_type == MOType.DUPLICATE_OPT_IN
    assert FlowRun.objects.get().state == FlowRun.State.WAITING


def test_a_stop_while_a_step_waits_opts_out_and_ends_the_step(path):
    _receive("JOIN")
    assert _receive("STOP").message.message_type == MOType.OPT_OUT
    assert FlowRun.objects.get().state == FlowRun.State.ENDED
    sent = len(_sent())
    _receive("34")
    assert not CustomFieldValue.objects.exists()
    assert len(_sent()) == sent  # nothing more goes to an opted-out number


def test_an_agent_chat_since_the_question_takes_the_answer_away(path):
    _receive("JOIN")
    profile = Profile.objects.get(phone_number=PHONE)
    message_send(
        company=profile.company,
        profile=profile,
        body="Hi, Bob here",
        campaign=path.campaign,
        message_type=MTType.DIRECT_MESSAGE,
    )
    assert _receive("34").message.message_type == MOType.DIRECT_RESPONSE
    assert not CustomFieldValue.objects.exists()


def test_a_path_without_steps_sends_the_welcome_only(campaign):
    path = make_opt_in_path(campaign, "Plain", keyword="PLAIN")
    path.welcome_message = "Hi!"
    path.save()
    _receive("PLAIN")
    assert _sent() == [(MTType.REGULAR_TEXT, "Hi!")]
    assert not FlowRun.objects.exists()
    assert _receive("ok").message.message_type == MOType.REPLY


def test_clear_ends_the_open_step_and_is_confirmed(path):
    _receive("JOIN")
    result = _receive("Clear")
    assert result.message.message_type == MOType.CLEAR_REQUEST
    assert result.message.campaign == path.campaign
    assert _sent()[-1][0] == MTType.CLEAR_RESPONSE
    assert FlowRun.objects.get().state == FlowRun.State.CLEARED
    assert not Conversation.objects.exclude(awaiting="").exists()
    assert _receive("34").message.message_type == MOType.REPLY
    assert not CustomFieldValue.objects.exists()


def test_clear_also_ends_a_broadcast_question(campaign):
    profile = make_profile(campaign.company, PHONE)
    Subscription.objects.create(
        company=campaign.company, profile=profile, campaign=campaign, activated_at=None
    )
    message_send(
        company=campaign.company,
        profile=profile,
        body="Coming Saturday?",
        campaign=campaign,
        message_type=MTType.QUESTION,
    )
    assert _receive("CLEAR").message.message_type == MOType.CLEAR_REQUEST
    assert _receive("yes").message.message_type == MOType.REPLY
