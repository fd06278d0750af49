"""Settings → Sending numbers: who may use it, credentials that are never shown, the
webhook URLs, the test message, and the whole way from adding a Twilio number to a
subscriber's welcome and STOP."""

import base64
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from campaigns.models import Campaign, Keyword, Subscription
from messaging import carriers
from messaging.gateways import FakeGateway
from messaging.models import Channel, Message, MOType, MTType
from profiles.models import Profile
from tests.factories import next_phone, set_standing
from tests.fakes.providers import FakeConfig, serve
from tests.messaging.channel_builders import (
    TWILIO_SID,
    TWILIO_TOKEN,
    make_channel,
    twilio_inbound,
    twilio_post,
    twilio_status,
)

NUMBER = "+12028831111"
ADD_TWILIO = {
    "kind": "long_code_10dlc",
    "number": "(202) 883-1111",
    "mps": "",
    "cred_account_sid": TWILIO_SID,
    "cred_auth_token": TWILIO_TOKEN,
}


def _pages(channel):
    return [
        ("get", reverse("messaging:channels")),
        ("get", reverse("messaging:channel_add", args=["twilio"])),
        ("post", reverse("messaging:channel_add", args=["twilio"])),
        ("get", reverse("messaging:channel_edit", args=[channel.pk])),
        ("post", reverse("messaging:channel_edit", args=[channel.pk])),
        ("post", reverse("messaging:channel_deactivate", args=[channel.pk])),
        ("post", reverse("messaging:channel_test", args=[channel.pk])),
    ]


@pytest.mark.parametrize("who", ["bob", "charlie", "dana"])
def test_every_sending_number_page_is_refused_to_each_role_below_admin(
    request, client_as, company, who
):
    channel = make_channel(company, "twilio", NUMBER)
    client = client_as(request.getfixturevalue(who))
    for method, url in _pages(channel):
        response = getattr(client, method)(url, {**ADD_TWILIO, "phone": next_phone()})
        assert response.status_code == 403, url
    channel.refresh_from_db()
    assert channel.active and Channel.objects.count() == 1
    assert not Message.objects.exists()


def test_another_companys_number_is_not_found_and_not_listed(client_as, company, eve):
    channel = make_channel(company, "twilio", NUMBER)
    client = client_as(eve)
    assert NUMBER not in client.get(reverse("messaging:channels")).content.decode()
    for method, url in _pages(channel)[3:]:
        assert getattr(client, method)(url, {"phone": next_phone()}).status_code == 404, url
    channel.refresh_from_db()
    assert channel.active
    assert not Message.objects.exists()


def test_an_admin_adds_a_number_and_its_token_is_never_shown_again(client_as, alice, company):
    client = client_as(alice)
    response = client.post(reverse("messaging:channel_add", args=["twilio"]), ADD_TWILIO)
    channel = Channel.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:channel_edit", args=[channel.pk])
    assert (channel.number, channel.kind, channel.mps) == (NUMBER, "long_code_10dlc", 1)
    page = client.get(response["Location"]).content.decode()
    assert TWILIO_TOKEN not in page and TWILIO_SID not in page
    assert "Saved — enter a new value to replace it." in page
    token = str(channel.webhook_token)
    assert f"http://testserver/messaging/channels/{token}/inbound/" in page
    assert f"http://testserver/messaging/channels/{token}/status/" in page
    listing = client.get(reverse("messaging:channels")).content.decode()
    assert TWILIO_TOKEN not in listing and f"/messaging/channels/{token}/status/" in listing


def test_the_webhook_urls_use_the_public_base_url_when_set(client_as, alice, company, settings):
    settings.PUBLIC_BASE_URL = "https://sms.example.org/"
    channel = make_channel(company, "telnyx", "+18445550001", kind="toll_free")
    page = client_as(alice).get(reverse("messaging:channel_edit", args=[channel.pk]))
    assert (
        f"https://sms.example.org/messaging/channels/{channel.webhook_token}/inbound/"
        in page.content.decode()
    )


def test_a_refused_number_shows_why_and_stores_nothing(client_as, alice):
    response = client_as(alice).post(
        reverse("messaging:channel_add", args=["twilio"]), {**ADD_TWILIO, "cred_auth_token": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Channel.objects.exists()


def test_an_edit_with_blank_credentials_keeps_them(client_as, alice, company):
    channel = make_channel(company, "twilio", NUMBER)
    response = client_as(alice).post(
        reverse("messaging:channel_edit", args=[channel.pk]),
        {"kind": "long_code_10dlc", "number": NUMBER, "mps": "3"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.mps == 3 and channel.decrypted_credentials()["auth_token"] == TWILIO_TOKEN


def test_a_deactivated_number_is_shown_as_such_and_refuses_its_webhooks(
    client, client_as, alice, company
):
    channel = make_channel(company, "twilio", NUMBER)
    admin = client_as(alice)
    admin.post(reverse("messaging:channel_deactivate", args=[channel.pk]))
    channel.refresh_from_db()
    assert not channel.active
    assert "Deactivated" in admin.get(reverse("messaging:channels")).content.decode()
    fields = twilio_inbound(sid="SM" + "9" * 32, sender=next_phone(), to=NUMBER, body="hi")
    assert twilio_post(client, channel, "inbound", fields).status_code == 404


def test_a_test_message_goes_through_the_one_send_function(
    client_as, alice, company, django_capture_on_commit_callbacks
):
    channel = make_channel(company, "twilio", NUMBER)
    phone = next_phone()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(alice).post(
            reverse("messaging:channel_test", args=[channel.pk]),
            {"phone": phone, "body": "Testing our number"},
        )
    assert response.status_code == 200
    message = Message.objects.get(direction="mt", phone_number=phone)
    assert (message.body, message.originator, message.sent_by) == (
        "Testing our number",
        NUMBER,
        alice,
    )
    # The page answers when the message is queued; delivery runs after the commit.
    assert f"<strong>{Message.Status.QUEUED}</strong>" in response.content.decode()
    assert message.status == Message.Status.SENT
    assert FakeGateway.sent_to(phone)


def test_a_test_message_to_an_opted_out_number_is_refused_by_the_compliance_rule(
    client_as, alice, company
):
    channel = make_channel(company, "twilio", NUMBER)
    phone = next_phone()
    profile = Profile.objects.create(company=company, phone_number=phone)
    set_standing(profile, opted_out_globally=True, opted_out_source="Texted a STOP word")
    response = client_as(alice).post(
        reverse("messaging:channel_test", args=[channel.pk]), {"phone": phone, "body": "Test"}
    )
    message = Message.objects.get(direction="mt", profile=profile)
    assert message.status == Message.Status.UNDELIVERABLE
    assert "Undeliverable" in response.content.decode()
    assert not FakeGateway.sent_to(phone)


@contextmanager
def _fake_twilio(settings):
    """The local fake Twilio, knowing the account an Admin types below; every message
    leaves through the carrier gateway, from the company's own number."""
    config = FakeConfig(twilio_account_sid=TWILIO_SID, twilio_auth_token=TWILIO_TOKEN)
    with serve(config) as fake:
        carriers.engine_close()
        settings.SMS_GATEWAY = "messaging.carriers.CarrierGateway"
        settings.SMS_PROVIDER_BASE_URL = fake.base_url
        # The address Twilio reaches us at: the status callback's base, and the URL
        # the webhooks' signatures are computed over (the test client's host).
        settings.PUBLIC_BASE_URL = "http://testserver"
        # The settings' own number is another account: a message leaving from it
        # would be refused by the fake (401) and fail the assertions below.
        settings.TWILIO_ACCOUNT_SID = "AC" + "9" * 32
        settings.TWILIO_AUTH_TOKEN = "not-this-companys"
        try:
            yield fake
        finally:
            carriers.engine_close()


def _twilio_callback(client, callback_url: str, fields: dict[str, str]):
    """Twilio's status callback: a form POST to exactly the StatusCallback URL we gave,
    signed (X-Twilio-Signature) over that full URL with the account's auth token."""
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(callback_url, fields)
    parts = urlsplit(callback_url)
    return client.post(
        f"{parts.path}?{parts.query}",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def test_an_admin_connects_a_twilio_number_and_a_subscriber_joins_and_stops(
    client, client_as, alice, company, settings, django_capture_on_commit_callbacks
):
    """Done when: add a Twilio number with its SID and token, text its keyword and get
    the welcome, reply STOP and be opted out, all visible in the app; the welcome
    reaches the (local) Twilio API from that number, with that account."""
    admin = client_as(alice)
    admin.post(reverse("messaging:channel_add", args=["twilio"]), ADD_TWILIO)
    channel = Channel.objects.get(company=company)
    admin.post(
        reverse("campaigns:create"),
        {"name": "Renters United", "timezone": "America/New_York", "channel": channel.pk},
    )
    campaign = Campaign.objects.get(company=company, name="Renters United")
    assert campaign.channel == channel
    admin.post(
        reverse("campaigns:opt_in_path_create", args=[campaign.pk]),
        {"name": "Keyword RENT", "welcome_message": "Welcome to Renters United!"},
    )
    path = campaign.opt_in_paths.get()
    admin.post(
        reverse("campaigns:keyword_create", args=[campaign.pk]),
        {"name": "rent", "opt_in_path": path.pk},
    )
    assert Keyword.objects.get(name="RENT").channel == channel
    campaign_page = admin.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert f'id="sends-from">{NUMBER}<' in campaign_page
    assert f'title="Answers on {NUMBER}">RENT' in campaign_page

    phone = next_phone()
    with _fake_twilio(settings) as fake:
        join = twilio_inbound(sid="SM" + "a" * 32, sender=phone, to=NUMBER, body="RENT")
        with django_capture_on_commit_callbacks(execute=True):
            assert twilio_post(client, channel, "inbound", join).status_code == 200
        profile = Profile.objects.get(company=company, phone_number=phone)
        welcome = Message.objects.get(direction="mt", profile=profile)
        assert (welcome.body, welcome.status, welcome.originator) == (
            "Welcome to Renters United!",
            Message.Status.SENT,
            NUMBER,
        )
        (request,) = fake.requests
        assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
        pair = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        assert request.headers["Authorization"] == f"Basic {pair}"
        form = {name: values[0] for name, values in request.form().items()}
        callback = (
            f"http://testserver/messaging/channels/{channel.webhook_token}/status/?ref={welcome.pk}"
        )
        assert (form["From"], form["To"], form["Body"], form["StatusCallback"]) == (
            NUMBER,
            phone,
            "Welcome to Renters United!",
            callback,
        )
        assert fake.accepted["twilio"] == [welcome.gateway_message_id]

        # Twilio reports the handset got it, on the callback URL the send named.
        delivered = twilio_status(sid=welcome.gateway_message_id, status="delivered", to=phone)
        delivered["AccountSid"] = TWILIO_SID
        assert _twilio_callback(client, callback, delivered).status_code == 200
        welcome.refresh_from_db()
        assert (welcome.status, welcome.delivered_at is not None) == (Message.Status.SENT, True)

        # Twilio answered STOP itself (Advanced Opt-Out): we record it, send nothing.
        stop = twilio_inbound(
            sid="SM" + "b" * 32, sender=phone, to=NUMBER, body="STOP", OptOutType="STOP"
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert twilio_post(client, channel, "inbound", stop).status_code == 200
        assert len(fake.requests) == 1  # no second receipt reached Twilio
    subscription = Subscription.objects.get(profile=profile)
    assert subscription.status == Subscription.Status.OPTED_OUT
    assert Message.objects.get(gateway_message_id="SM" + "b" * 32).message_type == MOType.OPT_OUT
    assert not Message.objects.filter(profile=profile, message_type=MTType.OPT_OUT_RECEIPT)

    page = admin.get(reverse("profiles:detail", args=[profile.pk])).content.decode()
    assert "Opted Out" in page and "Texted a STOP word" in page
