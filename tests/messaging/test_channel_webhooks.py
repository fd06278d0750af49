"""The providers' webhooks of a sending number: /messaging/channels/<token>/inbound/
and /status/, signed as each provider signs them, with the providers' own payloads."""

import copy

import pytest

from campaigns.models import Subscription
from messaging.channels import channel_deactivate
from messaging.models import Message, MOType, MTType
from messaging.services import message_send
from profiles.models import CleanedReason, OptOutSource, Profile
from tests.factories import make_campaign, make_opt_in_path, make_profile, next_phone
from tests.messaging.channel_builders import (
    bandwidth_post,
    make_channel,
    telnyx_post,
    twilio_inbound,
    twilio_post,
    twilio_status,
    url_of,
)
from tests.messaging.test_provider_bandwidth import RECEIVED_TEXT
from tests.messaging.test_provider_bandwidth import _outbound as bandwidth_outbound
from tests.messaging.test_provider_telnyx import RECEIVED
from tests.messaging.test_provider_telnyx import _outbound as telnyx_outbound

NUMBER = "+12028831111"
SID = "SMe287d7109a5a925f182f0e07fe5b223b"


@pytest.fixture
def twilio_number(company):
    return make_channel(company, "twilio", NUMBER)


@pytest.fixture
def rent(company, twilio_number):
    campaign = make_campaign(company, name="Renters United", channel=twilio_number)
    path = make_opt_in_path(campaign, name="Keyword RENT")
    path.welcome_message = "Welcome to Renters United! Reply STOP to opt out."
    path.save()
    from campaigns.services_campaigns import keyword_create

    keyword_create(opt_in_path=path, name="RENT")
    return campaign


def _text(client, channel, body, *, sender, sid=SID, **extra):
    fields = twilio_inbound(sid=sid, sender=sender, to=channel.number, body=body, **extra)
    return twilio_post(client, channel, "inbound", fields)


# --- Twilio inbound -------------------------------------------------------------------


def test_a_twilio_keyword_text_creates_the_profile_and_queues_the_welcome(
    client, company, twilio_number, rent
):
    phone = next_phone()
    response = _text(client, twilio_number, "rent", sender=phone)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    profile = Profile.objects.get(company=company, phone_number=phone)
    assert Subscription.objects.get(profile=profile).campaign == rent
    mo = Message.objects.get(direction="mo", profile=profile)
    assert (mo.message_type, mo.gateway, mo.gateway_message_id) == (MOType.OPT_IN, "twilio", SID)
    welcome = Message.objects.get(direction="mt", profile=profile)
    assert welcome.body.startswith("Welcome to Renters United!")
    assert welcome.status == Message.Status.QUEUED
    assert welcome.originator == NUMBER  # replies leave from the number texted


def test_a_twilio_stop_answered_by_twilio_opts_out_and_sends_no_second_receipt(
    client, company, twilio_number, rent
):
    phone = next_phone()
    _text(client, twilio_number, "RENT", sender=phone, sid="SM" + "1" * 32)
    response = _text(
        client, twilio_number, "stop", sender=phone, sid="SM" + "2" * 32, OptOutType="STOP"
    )
    assert response.status_code == 200
    profile = Profile.objects.get(company=company, phone_number=phone)
    subscription = Subscription.objects.get(profile=profile)
    assert subscription.status == Subscription.Status.OPTED_OUT
    assert subscription.opt_out_source == OptOutSource.STOP_WORD
    stop = Message.objects.get(gateway_message_id="SM" + "2" * 32)
    assert stop.message_type == MOType.OPT_OUT
    assert not Message.objects.filter(
        profile=profile, direction="mt", message_type=MTType.OPT_OUT_RECEIPT
    ).exists()


def test_a_twilio_stop_twilio_did_not_answer_gets_our_one_receipt(
    client, company, twilio_number, rent
):
    phone = next_phone()
    _text(client, twilio_number, "RENT", sender=phone, sid="SM" + "1" * 32)
    _text(client, twilio_number, "STOP", sender=phone, sid="SM" + "2" * 32)
    profile = Profile.objects.get(company=company, phone_number=phone)
    receipts = Message.objects.filter(profile=profile, message_type=MTType.OPT_OUT_RECEIPT)
    assert receipts.count() == 1


def test_a_twilio_start_answered_by_twilio_rejoins_without_a_reply(
    client, company, twilio_number, rent
):
    phone = next_phone()
    _text(client, twilio_number, "RENT", sender=phone, sid="SM" + "1" * 32)
    _text(client, twilio_number, "STOP", sender=phone, sid="SM" + "2" * 32, OptOutType="STOP")
    _text(client, twilio_number, "START", sender=phone, sid="SM" + "3" * 32, OptOutType="START")
    profile = Profile.objects.get(company=company, phone_number=phone)
    assert Subscription.objects.filter(profile=profile, status="Active").exists()
    assert Message.objects.get(gateway_message_id="SM" + "3" * 32).message_type == (
        MOType.REACTIVATION
    )
    assert list(
        Message.objects.filter(profile=profile, direction="mt").values_list(
            "message_type", flat=True
        )
    ) == [MTType.REGULAR_TEXT]  # only the welcome of the first opt-in


@pytest.mark.parametrize(
    ("signature", "token"),
    [
        pytest.param("", "ignored", id="missing signature"),
        pytest.param(None, "another-accounts-token", id="signed with another token"),
        pytest.param("bm90IGEgc2lnbmF0dXJl", "ignored", id="garbage signature"),
    ],
)
def test_a_bad_or_missing_twilio_signature_is_refused_and_nothing_is_stored(
    client, twilio_number, rent, signature, token
):
    fields = twilio_inbound(sid=SID, sender=next_phone(), to=NUMBER, body="STOP")
    response = twilio_post(
        client, twilio_number, "inbound", fields, token=token, signature=signature
    )
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not Profile.objects.exists()


def test_a_replayed_twilio_text_is_stored_once(client, twilio_number, rent):
    phone = next_phone()
    for _ in range(3):
        assert _text(client, twilio_number, "RENT", sender=phone).status_code == 200
    assert Message.objects.filter(direction="mo").count() == 1
    assert Message.objects.filter(direction="mt").count() == 1


def test_a_text_for_another_number_than_the_channels_is_refused(client, twilio_number, rent):
    fields = twilio_inbound(sid=SID, sender=next_phone(), to="+12025550999", body="RENT")
    response = twilio_post(client, twilio_number, "inbound", fields)
    assert response.status_code == 422
    assert not Message.objects.exists()


def test_a_twilio_mms_stores_its_media_link(client, twilio_number):
    media = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0"
    response = _text(client, twilio_number, "", sender=next_phone(), NumMedia="1", MediaUrl0=media)
    assert response.status_code == 200
    mo = Message.objects.get(direction="mo")
    assert (mo.channel, mo.media_url) == (Message.Channel.MMS, media)


def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(
    client, settings, twilio_number
):
    settings.PUBLIC_BASE_URL = "https://sms.example.org"
    from twilio.request_validator import RequestValidator

    from tests.messaging.channel_builders import TWILIO_TOKEN

    fields = twilio_inbound(sid=SID, sender=next_phone(), to=NUMBER, body="hello")
    public = "https://sms.example.org" + url_of(twilio_number, "inbound")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(public, fields)
    assert (
        twilio_post(client, twilio_number, "inbound", fields, signature=signature).status_code
        == 200
    )
    assert Message.objects.filter(direction="mo").count() == 1


def test_an_unknown_or_deactivated_number_is_not_found(client, twilio_number):
    fields = twilio_inbound(sid=SID, sender=next_phone(), to=NUMBER, body="STOP")
    bad = client.post("/messaging/channels/not-a-token/inbound/", fields)
    assert bad.status_code == 404
    channel_deactivate(channel=twilio_number)
    assert twilio_post(client, twilio_number, "inbound", fields).status_code == 404
    assert not Message.objects.exists()


def test_a_text_with_a_control_character_is_refused(client, twilio_number):
    response = _text(client, twilio_number, "hi\x00there", sender=next_phone())
    assert response.status_code == 400
    assert not Message.objects.exists()


# --- Telnyx and Bandwidth inbound ------------------------------------------------------


def test_a_telnyx_text_is_verified_and_stored(client, company):
    channel = make_channel(company, "telnyx", "+18445550001", kind="toll_free")
    document = copy.deepcopy(RECEIVED)
    document["data"]["payload"]["from"]["phone_number"] = sender = next_phone()
    response = telnyx_post(client, channel, "inbound", document)
    assert response.status_code == 200
    mo = Message.objects.get(direction="mo")
    assert (mo.phone_number, mo.body, mo.gateway) == (sender, "Hello, World!", "telnyx")
    assert mo.company == company


def test_a_telnyx_text_with_a_bad_signature_is_refused(client, company):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    channel = make_channel(company, "telnyx", "+18445550001", kind="toll_free")
    response = telnyx_post(client, channel, "inbound", RECEIVED, key=Ed25519PrivateKey.generate())
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_bandwidth_text_is_stored_once_behind_its_basic_credentials(client, company):
    channel = make_channel(company, "bandwidth", "+12345678902")
    event = copy.deepcopy(RECEIVED_TEXT)
    event["message"]["from"] = next_phone()
    assert bandwidth_post(client, channel, "inbound", [event]).status_code == 200
    assert bandwidth_post(client, channel, "inbound", [event]).status_code == 200
    assert Message.objects.filter(direction="mo", gateway="bandwidth").count() == 1
    refused = bandwidth_post(client, channel, "inbound", [event], auth=("shortcode", "wrong"))
    assert refused.status_code == 403
    assert bandwidth_post(client, channel, "inbound", [event], auth=None).status_code == 403


# --- Status callbacks ------------------------------------------------------------------


def _sent_message(company, external_id, phone=None):
    profile = make_profile(company, phone or next_phone())
    message = message_send(company=company, profile=profile, body="Rally at noon")
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, gateway_message_id=external_id, attempts=1
    )
    return Message.objects.get(pk=message.pk)


def _twilio_receipt(client, channel, message, status, code=""):
    fields = twilio_status(
        sid=message.gateway_message_id, status=status, to=message.phone_number, error_code=code
    )
    return twilio_post(client, channel, "status", fields)


def _standing(profile):
    profile.refresh_from_db()
    return profile


# (provider status, error code, message status after, what the profile shows)
TWILIO_RECEIPTS = [
    ("delivered", "", Message.Status.SENT, "delivered"),
    ("undelivered", "21610", Message.Status.FAILED, "opted out"),
    ("undelivered", "30006", Message.Status.FAILED, "invalid"),
    ("failed", "30005", Message.Status.FAILED, "hard bounce"),
    ("undelivered", "30003", Message.Status.FAILED, "soft bounce"),
    ("failed", "30022", Message.Status.QUEUED, "untouched"),
]


def _profile_shows(profile) -> str:
    profile = _standing(profile)
    if profile.standing.opted_out_globally:
        assert profile.standing.opted_out_source == OptOutSource.STOP_WORD
        return "opted out"
    if profile.invalid_data:
        return "invalid"
    if profile.cleaned_reason == CleanedReason.HARD_BOUNCE:
        return "hard bounce"
    if profile.consecutive_soft_bounces == 1:
        return "soft bounce"
    return "untouched"


@pytest.mark.parametrize(("status", "code", "after", "shows"), TWILIO_RECEIPTS)
def test_a_twilio_receipt_becomes_the_message_status_and_a_fact_about_the_number(
    client, company, twilio_number, status, code, after, shows
):
    message = _sent_message(company, SID)
    assert _twilio_receipt(client, twilio_number, message, status, code).status_code == 200
    message.refresh_from_db()
    assert message.status == after
    if status == "delivered":
        assert message.delivered_at is not None
        assert _profile_shows(message.profile) == "untouched"
    else:
        assert message.error_code == code
        assert _profile_shows(message.profile) == shows


def test_the_same_failed_receipt_twice_counts_one_soft_bounce(client, company, twilio_number):
    message = _sent_message(company, SID)
    for _ in range(2):
        _twilio_receipt(client, twilio_number, message, "undelivered", "30003")
    assert _standing(message.profile).consecutive_soft_bounces == 1


def test_a_late_delivered_never_hides_a_permanent_failure(client, company, twilio_number):
    message = _sent_message(company, SID)
    _twilio_receipt(client, twilio_number, message, "undelivered", "21610")
    _twilio_receipt(client, twilio_number, message, "delivered")
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (Message.Status.FAILED, None)


def test_a_late_sent_or_throttle_never_undoes_delivered(client, company, twilio_number):
    message = _sent_message(company, SID)
    _twilio_receipt(client, twilio_number, message, "delivered")
    _twilio_receipt(client, twilio_number, message, "sent")
    _twilio_receipt(client, twilio_number, message, "failed", "30022")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.delivered_at is not None and message.error_code == ""


def test_a_receipt_for_another_companys_message_id_changes_nothing(
    client, company, other_company, twilio_number
):
    theirs = _sent_message(other_company, SID)
    response = _twilio_receipt(client, twilio_number, theirs, "undelivered", "21610")
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == Message.Status.SENT
    assert _profile_shows(theirs.profile) == "untouched"


def test_a_telnyx_finalized_event_opts_the_carrier_stopped_number_out(client, company):
    channel = make_channel(company, "telnyx", "+18445550001", kind="toll_free")
    document = telnyx_outbound(statuses=("delivery_failed",), errors=("40300",))
    phone = document["data"]["payload"]["to"][0]["phone_number"]
    message = _sent_message(company, document["data"]["payload"]["id"], phone)
    # Telnyx posts every event of a profile to one URL: the inbound one takes receipts too.
    assert telnyx_post(client, channel, "inbound", document).status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert _profile_shows(message.profile) == "opted out"


def test_a_bandwidth_failed_callback_marks_a_landline_invalid(client, company):
    channel = make_channel(company, "bandwidth", "+15552221111")
    event = bandwidth_outbound("message-failed", 4720, "Carrier rejected")
    message = _sent_message(company, event["message"]["id"], "+12025550143")
    event["to"] = message.phone_number
    assert bandwidth_post(client, channel, "status", [event]).status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert _profile_shows(message.profile) == "invalid"


def test_a_bandwidth_delivered_callback_confirms_the_message(client, company):
    channel = make_channel(company, "bandwidth", "+15552221111")
    event = bandwidth_outbound("message-delivered")
    message = _sent_message(company, event["message"]["id"], "+12025550144")
    event["to"] = message.phone_number
    assert bandwidth_post(client, channel, "status", [event]).status_code == 200
    message.refresh_from_db()
    assert message.delivered_at is not None


def test_a_number_whose_credentials_no_key_reads_refuses_its_webhooks(
    client, settings, twilio_number
):
    from cryptography.fernet import Fernet

    settings.CHANNEL_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    response = _text(client, twilio_number, "STOP", sender=next_phone())
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_twilio_help_answered_by_twilio_is_recorded_without_our_help_text(
    client, company, twilio_number, rent
):
    phone = next_phone()
    _text(client, twilio_number, "RENT", sender=phone, sid="SM" + "1" * 32)
    _text(client, twilio_number, "info", sender=phone, sid="SM" + "2" * 32, OptOutType="HELP")
    assert Message.objects.get(gateway_message_id="SM" + "2" * 32).message_type == (
        MOType.HELP_REQUEST
    )
    assert not Message.objects.filter(message_type=MTType.HELP_RESPONSE).exists()


def test_a_delivered_receipt_on_the_generic_webhook_records_the_delivery_too(client, company):
    from tests.messaging.test_webhooks import RECEIPTS, _post

    message = _sent_message(company, "SMgeneric")
    response = _post(client, RECEIPTS, {"id": "SMgeneric", "from": "22822", "status": "delivered"})
    assert response.json() == {"outcome": "delivered"}
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.delivered_at is not None
