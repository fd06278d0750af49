"""A carrier's media link is stored only when it is http(s); the message is never lost."""

import json

import pytest
from django.urls import reverse

from accounts.models import Company
from campaigns.models import Subscription
from core.text_rules import text_problem
from messaging.models import Message, MOType
from messaging.services import SendError, message_send, message_send_many
from messaging.webhooks import webhook_headers
from profiles.models import Profile
from tests.factories import make_campaign, make_profile, make_subscription, receive_text
from tests.profiles.test_safe_urls import SAFE_URLS, UNSAFE_URLS

pytestmark = pytest.mark.django_db

PHONE = "+12025550142"


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts", opt_out_text="Bye from Acme.")


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, PHONE)
    make_subscription(profile, campaign)
    return profile


def _post_inbound(client, payload):
    # Texted to Acme's number (the company fixture's short code).
    payload = {"to": Company.objects.get(name="Acme Action").short_code, **payload}
    body = json.dumps(payload).encode()
    return client.post(
        reverse("messaging:inbound"),
        body,
        content_type="application/json",
        headers=webhook_headers(body),
    )


@pytest.mark.parametrize("media_url", UNSAFE_URLS)
def test_an_inbound_mms_with_an_unsafe_media_url_keeps_the_text_and_drops_the_link(
    client, company, subscriber, media_url
):
    response = _post_inbound(
        client,
        {"from": PHONE, "body": "look at this", "id": "mms-1", "media_url": media_url},
    )
    if text_problem(media_url, multiline=False):
        # Control characters in any field are refused whole by the text rule
        # (core/text_rules.py) before the link rule looks at it: nothing is stored.
        assert response.status_code == 400
        assert response.json()["error"].startswith("media_url contains")
        assert not Message.objects.exists()
        return
    assert response.status_code == 200
    assert response.json()["media_url_refused"]
    message = Message.objects.get(gateway_message_id="mms-1")
    assert (message.body, message.media_url) == ("look at this", "")
    assert message.channel == Message.Channel.MMS


def test_an_inbound_mms_with_a_javascript_url_leaves_no_javascript_on_the_messages_tab(
    client, client_as, bob, company, subscriber
):
    response = _post_inbound(
        client,
        {"from": PHONE, "body": "pic", "id": "mms-2", "media_url": "javascript:alert(1)"},
    )
    assert response.json()["media_url_refused"] == "The link must start with http:// or https://."
    url = reverse("profiles:detail", args=[subscriber.pk])
    html = client_as(bob).get(url, {"tab": "messages"}).content.decode()
    assert ">pic<" in html
    assert "javascript:" not in html.lower()


def test_a_stop_with_an_unsafe_media_url_still_opts_out(client, company, campaign, subscriber):
    response = _post_inbound(
        client, {"from": PHONE, "body": "STOP", "id": "mms-3", "media_url": "vbscript:x"}
    )
    assert response.status_code == 200
    assert Message.objects.get(pk=response.json()["id"]).message_type == MOType.OPT_OUT
    sub = Subscription.objects.get(profile=subscriber, campaign=campaign)
    assert sub.status == Subscription.Status.OPTED_OUT


@pytest.mark.parametrize("media_url", SAFE_URLS)
def test_an_inbound_mms_with_an_https_media_url_is_stored_as_sent(company, subscriber, media_url):
    result = receive_text(company, PHONE, "", media_url=media_url)
    assert result.media_url_refused == ""
    assert result.message.media_url == media_url
    assert result.message.channel == Message.Channel.MMS


def test_an_inbound_media_url_longer_than_the_column_is_dropped_not_a_server_error(
    company, subscriber
):
    result = receive_text(company, PHONE, "long", media_url="https://carrier.example/" + "a" * 300)
    assert result.media_url_refused == "The link is longer than 200 characters."
    assert result.message.media_url == "" and result.message.body == "long"


@pytest.mark.parametrize("media_url", ["javascript:alert(1)", " data:,x", "JaVaScRiPt:1"])
def test_sending_with_an_unsafe_media_url_is_refused_and_stores_nothing(
    company, subscriber, media_url
):
    before = Message.objects.count()
    with pytest.raises(SendError, match="Media link: "):
        message_send(company=company, profile=subscriber, body="hi", media_url=media_url)
    with pytest.raises(SendError, match="Media link: "):
        message_send_many(
            company=company,
            profiles=Profile.objects.filter(pk=subscriber.pk),
            body="hi",
            media_url=media_url,
        )
    assert Message.objects.count() == before


def test_a_redelivered_mms_with_an_unsafe_link_gets_the_same_answer_and_one_message(
    client, subscriber
):
    payload = {"from": PHONE, "body": "pic", "id": "mms-4", "media_url": "javascript:x"}
    first, again = _post_inbound(client, payload).json(), _post_inbound(client, payload).json()
    assert (first.pop("redelivered"), again.pop("redelivered")) == (False, True)
    assert first == again
    assert again["media_url_refused"]
    assert Message.objects.filter(gateway_message_id="mms-4").count() == 1
