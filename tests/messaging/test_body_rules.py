"""The one body rule of every outgoing text, and the webhooks' refusal of control characters.

`message_send` and `message_send_many` refuse, before anything is stored, a body with
NUL or another C0 control (line breaks and tabs allowed) and a body longer than its
channel allows: settings.SMS_MAX_SEGMENTS segments for SMS, MMS_TEXT_LIMIT characters
for a picture message's text.
"""

import json

import pytest
from django.urls import reverse

from campaigns.models import Subscription
from core.segments import MMS_TEXT_LIMIT, segment_info
from messaging.models import Message
from messaging.services import MessageBodyError, message_send, message_send_many
from messaging.webhooks import webhook_headers
from profiles.models import Profile
from tests.api_client import api_post, error_of, ok
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db

CONTROL_BODIES = [
    pytest.param("Rally at noon\x00", "a NUL byte", id="nul"),
    pytest.param("Rally \x07at noon", "U+0007", id="bell"),
    pytest.param("\x1b[31mRally", "U+001B", id="escape"),
    pytest.param("Rally\x0bat noon", "U+000B", id="vertical-tab"),
]
# Bodies just past the default limit of 10 segments, in both encodings.
TOO_LONG = [
    pytest.param("x" * (153 * 10 + 1), 11, id="gsm-7"),
    pytest.param("ж" * (67 * 10 + 1), 11, id="ucs-2"),
    pytest.param("😄" * 400, 13, id="emoji"),
    pytest.param("x" * 2000, 14, id="two-thousand-characters"),
]


@pytest.fixture
def campaign(company):
    return make_campaign(company)


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550101")
    make_subscription(profile, campaign)
    return profile


def _nothing_sent(fake_outbox) -> None:
    assert not Message.objects.exists()
    assert fake_outbox.sent_count == 0


@pytest.mark.parametrize(("body", "described"), CONTROL_BODIES)
def test_message_send_refuses_a_body_with_a_control_character_and_stores_nothing(
    company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks, body, described
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(MessageBodyError, match=f"The message contains .*{described[-4:]}"),
    ):
        message_send(company=company, profile=subscriber, body=body, campaign=campaign)
    _nothing_sent(fake_outbox)


@pytest.mark.parametrize(("body", "described"), CONTROL_BODIES)
def test_message_send_many_refuses_a_body_with_a_control_character_and_stores_nothing(
    company, campaign, subscriber, fake_outbox, body, described
):
    with pytest.raises(MessageBodyError, match="not allowed"):
        message_send_many(
            company=company, profiles=Profile.objects.all(), body=body, campaign=campaign
        )
    _nothing_sent(fake_outbox)


def test_line_breaks_and_tabs_are_sent(company, campaign, subscriber):
    body = "Rally at noon\n\tBring a friend\r\nReply STOP to opt out"
    message = message_send(company=company, profile=subscriber, body=body, campaign=campaign)
    message.refresh_from_db()
    assert message.body == body and message.status == Message.Status.QUEUED


@pytest.mark.parametrize(("body", "segments"), TOO_LONG)
def test_a_text_over_the_segment_limit_is_refused_before_anything_is_stored(
    company, campaign, subscriber, fake_outbox, body, segments
):
    assert segment_info(body).segments == segments
    expected = f"This message is {segments} segments long; at most 10 segments"
    with pytest.raises(MessageBodyError, match=expected):
        message_send(company=company, profile=subscriber, body=body, campaign=campaign)
    with pytest.raises(MessageBodyError, match=expected):
        message_send_many(
            company=company, profiles=Profile.objects.all(), body=body, campaign=campaign
        )
    _nothing_sent(fake_outbox)


@pytest.mark.parametrize("body", ["x" * 153 * 10, "ж" * 67 * 10], ids=["gsm-7", "ucs-2"])
def test_a_text_of_exactly_ten_segments_is_sent(company, campaign, subscriber, body):
    message = message_send(company=company, profile=subscriber, body=body, campaign=campaign)
    assert (message.segments, message.status) == (10, Message.Status.QUEUED)


def test_the_segment_limit_comes_from_the_settings(company, campaign, subscriber, settings):
    settings.SMS_MAX_SEGMENTS = 2
    body = "x" * (153 * 2 + 1)
    with pytest.raises(MessageBodyError, match="at most 2 segments"):
        message_send(company=company, profile=subscriber, body=body, campaign=campaign)
    message_send(company=company, profile=subscriber, body=body[:-1], campaign=campaign)
    assert Message.objects.count() == 1


def test_a_picture_message_text_over_the_mms_limit_is_refused(company, campaign, subscriber):
    media = "https://example.org/a.png"
    with pytest.raises(MessageBodyError, match=f"at most {MMS_TEXT_LIMIT} characters"):
        message_send(
            company=company,
            profile=subscriber,
            body="x" * (MMS_TEXT_LIMIT + 1),
            campaign=campaign,
            media_url=media,
        )
    message = message_send(
        company=company,
        profile=subscriber,
        body="x" * MMS_TEXT_LIMIT,
        campaign=campaign,
        media_url=media,
    )
    assert (message.channel, message.segments) == (Message.Channel.MMS, 1)
    assert Message.objects.count() == 1


def test_api_send_message_keeps_the_seed_limit_of_160_characters(alice, campaign, subscriber):
    too_long = api_post(
        alice,
        "send_message",
        {"campaign_id": campaign.pk, "phone_number": "2025550101", "body": "x" * 161},
    )
    assert error_of(too_long) == (3, "Invalid message body: body must be 160 characters or fewer")
    assert not Message.objects.exists()
    ok(
        api_post(
            alice,
            "send_message",
            {"campaign_id": campaign.pk, "phone_number": "2025550101", "body": "x" * 160},
        )
    )
    assert Message.objects.get().body == "x" * 160


# --- Webhooks -------------------------------------------------------------------------


def _post(client, name, payload):
    body = json.dumps(payload).encode()
    headers = webhook_headers(body)
    return client.post(reverse(name), body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"from": "+12025550199", "body": "hi\x00"}, "body contains a NUL byte"),
        ({"from": "+12025550199", "body": "hi\x07"}, "body contains the control character U+0007"),
        ({"from": "+1202555\x000199", "body": "hi"}, "from contains a NUL byte"),
        ({"from": "+12025550199", "body": "hi", "id": "g\x071"}, "id contains the control"),
        ({"from": "+12025550199", "body": "hi", "to": "41411\n"}, "to contains a line break"),
    ],
)
def test_the_inbound_webhook_refuses_control_characters_with_400_and_stores_nothing(
    client, company, payload, error
):
    response = _post(client, "messaging:inbound", payload)
    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert not Message.objects.exists()


def test_the_inbound_webhook_accepts_a_text_with_line_breaks_and_tabs(client, company):
    payload = {"id": "SM1", "from": "+12025550199", "to": company.short_code, "body": "hi\n\tthere"}
    response = _post(client, "messaging:inbound", payload)
    assert response.status_code == 200
    assert Message.objects.get().body == "hi\n\tthere"


def test_a_delivery_receipt_with_a_control_character_is_refused(client, company):
    payload = {"id": "gw-1", "status": "failed", "error": "carrier\x00said no"}
    response = _post(client, "messaging:receipts", payload)
    assert response.status_code == 400
    assert response.json()["error"] == "error contains a NUL byte"


def test_stop_still_opts_out_when_the_configured_confirmation_is_too_long(
    client, company, campaign, subscriber
):
    # Saved before the rule existed (the campaign page now refuses it): 20 segments.
    type(campaign).objects.filter(pk=campaign.pk).update(opt_out_text="😄" * 600)
    payload = {"id": "SM2", "from": "+12025550101", "to": company.short_code, "body": "STOP"}
    response = _post(client, "messaging:inbound", payload)
    assert response.status_code == 200
    assert Subscription.objects.get(profile=subscriber).status == Subscription.Status.OPTED_OUT
    assert not Message.objects.filter(direction=Message.Direction.MT).exists()
