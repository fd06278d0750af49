import pytest
from django.urls import reverse

from campaigns.models import Subscription
from messaging.models import Conversation, Message, MTType
from profiles.models import OptOutSource
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts")


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550171", first_name="Sam", last_name="Lee")
    make_subscription(profile, campaign)
    return profile


@pytest.fixture
def incoming(subscriber, campaign):
    return receive_text(subscriber.company, subscriber.phone_number, "When is the rally?").message


def test_the_inbox_lists_incoming_messages_newest_first(client_as, charlie, incoming, subscriber):
    later = receive_text(subscriber.company, subscriber.phone_number, "Also: parking?").message
    page = client_as(charlie).get(reverse("inbox:messages")).content.decode()
    assert page.index("Also: parking?") < page.index("When is the rally?")
    assert f"/profiles/{subscriber.pk}/" in page
    assert later.message_type == "reply"
    assert "Start chat" not in page  # Staff reads, cannot chat


def test_the_inbox_searches_and_filters(client_as, bob, company, incoming, campaign):
    other = make_profile(company, "+12025550172")
    receive_text(other.company, other.phone_number, "hello there")
    client = client_as(bob)
    assert (
        "hello there" not in client.get(reverse("inbox:messages"), {"q": "rally"}).content.decode()
    )
    page = client.get(reverse("inbox:messages"), {"q": "555-0172"}).content.decode()
    assert "hello there" in page and "rally" not in page
    page = client.get(reverse("inbox:messages"), {"campaign": campaign.pk}).content.decode()
    assert "rally" in page and "hello there" not in page
    page = client.get(reverse("inbox:messages"), {"message_type": "unmatched"}).content.decode()
    assert "hello there" in page and "rally" not in page
    page = client.get(reverse("inbox:messages"), {"received_from": "2999-01-01"}).content.decode()
    assert "rally" not in page


def test_the_inbox_shows_only_the_companys_messages(client_as, eve, incoming):
    assert "rally" not in client_as(eve).get(reverse("inbox:messages")).content.decode()


def test_an_agent_chats_and_the_conversation_awaits_a_direct_reply(
    client_as, bob, subscriber, campaign, incoming
):
    client = client_as(bob)
    url = reverse("inbox:chat", args=[subscriber.pk])
    page = client.get(url, {"campaign": campaign.pk})
    assert page.status_code == 200
    assert b"When is the rally?" in page.content
    assert b"inbox-table" in page.content  # opened directly: the inbox with the drawer
    response = client.post(
        reverse("inbox:chat_send", args=[subscriber.pk]),
        {"body": "Saturday at noon :smile:", "campaign": campaign.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "chat-sent"
    sent = Message.objects.get(direction="mt")
    assert (sent.body, sent.message_type, sent.sent_by) == (
        "Saturday at noon 😄",
        MTType.DIRECT_MESSAGE,
        bob,
    )
    assert Conversation.objects.get(profile=subscriber).awaiting == "direct"
    assert "Saturday at noon 😄" in response.content.decode()
    reply = receive_text(subscriber.company, subscriber.phone_number, "Thanks!").message
    assert reply.message_type == "direct_response"
    poll = client.get(reverse("inbox:chat_messages", args=[subscriber.pk]))
    assert b"Thanks!" in poll.content


def test_a_chat_and_a_response_fill_in_the_recipients_merge_fields(
    client_as, bob, subscriber, campaign, incoming
):
    client = client_as(bob)
    response = client.post(
        reverse("inbox:chat_send", args=[subscriber.pk]),
        {"body": "Hi {{first_name}}, see you in {{city|town}}", "campaign": campaign.pk},
        headers={"HX-Request": "true"},
    )
    assert "Hi Sam, see you in town" in response.content.decode()
    client.post(reverse("inbox:respond", args=[incoming.pk]), {"body": "Noon, {{ last_name }}"})
    sent = Message.objects.filter(direction="mt").order_by("id")
    assert [(m.body, m.profile_id) for m in sent] == [
        ("Hi Sam, see you in town", subscriber.pk),
        ("Noon, Lee", subscriber.pk),
    ]
    refused = client.post(
        reverse("inbox:chat_send", args=[subscriber.pk]), {"body": "Your {{nickname}}?"}
    )
    assert "{{nickname}}" in refused.content.decode()
    assert sent.count() == 2


def test_an_opted_out_profile_cannot_be_chatted_with_and_the_window_says_why(
    client_as, bob, subscriber, campaign
):
    from campaigns.services_subscriptions import profile_opt_out

    profile_opt_out(profile=subscriber, source=OptOutSource.STOP_WORD)
    client = client_as(bob)
    page = client.get(reverse("inbox:chat", args=[subscriber.pk])).content.decode()
    assert "This profile cannot be messaged" in page
    assert "Opted out of all campaigns" in page
    response = client.post(reverse("inbox:chat_send", args=[subscriber.pk]), {"body": "Hi"})
    assert "This profile cannot be messaged" in response.content.decode()
    assert not Message.objects.filter(direction="mt").exists()


def test_staff_cannot_chat_or_reply(client_as, charlie, subscriber, incoming):
    client = client_as(charlie)
    assert client.get(reverse("inbox:chat", args=[subscriber.pk])).status_code == 403
    url = reverse("inbox:chat_send", args=[subscriber.pk])
    assert client.post(url, {"body": "Hi"}).status_code == 403
    url = reverse("inbox:respond", args=[incoming.pk])
    assert client.post(url, {"body": "Hi"}).status_code == 403
    assert not Message.objects.filter(direction="mt").exists()


def test_chat_with_another_companys_profile_is_not_found(client_as, eve, subscriber):
    assert client_as(eve).get(reverse("inbox:chat", args=[subscriber.pk])).status_code == 404


def test_the_response_form_answers_the_message_in_its_campaign(client_as, bob, incoming, campaign):
    response = client_as(bob).post(
        reverse("inbox:respond", args=[incoming.pk]), {"body": "Saturday!"}
    )
    assert b"Your response was sent" in response.content
    sent = Message.objects.get(direction="mt")
    assert (sent.campaign, sent.in_reply_to, sent.sent_by) == (campaign, incoming, bob)


def test_opt_out_from_the_inbox_uses_the_rows_campaign(
    client_as, bob, company, subscriber, campaign, incoming
):
    news = make_campaign(company, "News")
    make_subscription(subscriber, news)
    response = client_as(bob).post(reverse("inbox:opt_out", args=[incoming.pk]))
    assert response.status_code == 302
    alerts_sub = Subscription.objects.get(profile=subscriber, campaign=campaign)
    assert alerts_sub.status == "Opted-Out"
    assert alerts_sub.opt_out_source == OptOutSource.INBOX
    assert Subscription.objects.get(profile=subscriber, campaign=news).status == "Active"


def test_staff_cannot_opt_out_from_the_inbox(client_as, charlie, incoming, subscriber):
    assert client_as(charlie).post(reverse("inbox:opt_out", args=[incoming.pk])).status_code == 403
    assert subscriber.subscriptions.get().status == "Active"


def test_the_emoji_aliases_come_from_the_server_side_package(client_as, bob):
    aliases = client_as(bob).get(reverse("inbox:emoji_aliases")).json()
    assert aliases["smile"] == "😄"
    assert aliases["thumbsup"] == "👍"
