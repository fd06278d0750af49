"""Message templates (the campaign page), merge fields in the broadcast form and its
preview, the broadcast page's segment warning and link clicks, template ids in the API."""

import uuid

import pytest
from django.utils import timezone

from campaigns.broadcasts import broadcast_create
from campaigns.models import Broadcast, BroadcastChunk, MessageTemplate
from links.models import Click, TrackedLink
from messaging.broadcast_sending import broadcast_generate, broadcast_send_chunk
from messaging.models import Message
from profiles.models import CustomField
from tests import factories
from tests.api_client import api_get, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    campaign = factories.make_campaign(company, "Action Alerts")
    for name in ("Ana", "Maximiliana-Josefina"):
        factories.make_subscription(factories.make_profile(company, first_name=name), campaign)
    return campaign


def test_admins_keep_templates_on_the_campaign_page(campaign, alice, bob, client_as):
    url = f"/campaigns/{campaign.pk}/templates/new/"
    data = {"name": "Reminder", "body": "Hi {{first_name|friend}}, vote today!"}
    assert client_as(bob).post(url, data).status_code == 403
    assert client_as(alice).post(url, data).status_code == 302
    template = MessageTemplate.objects.get(campaign=campaign)
    page = client_as(bob).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Reminder" in page and "vote today" in page
    edit = f"/campaigns/{campaign.pk}/templates/{template.pk}/"
    client_as(alice).post(edit, {"name": "Reminder", "body": "Polls close at 8, {{first_name}}"})
    template.refresh_from_db()
    assert template.body == "Polls close at 8, {{first_name}}"
    client_as(alice).post(f"{edit}delete/")
    assert not MessageTemplate.objects.exists()


def test_a_template_with_an_unknown_field_is_refused_naming_it(campaign, alice, client_as):
    url = f"/campaigns/{campaign.pk}/templates/new/"
    response = client_as(alice).post(url, {"name": "Bad", "body": "Hi {{nickname}}"})
    assert response.status_code == 200
    assert "{{nickname}}" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_another_companys_template_is_not_found(campaign, company, eve, client_as):
    template = MessageTemplate.objects.create(
        company=company, campaign=campaign, name="T", body="Hi"
    )
    url = f"/campaigns/{campaign.pk}/templates/{template.pk}/"
    assert client_as(eve).get(url).status_code == 404
    assert client_as(eve).post(f"{url}delete/").status_code == 404
    assert MessageTemplate.objects.exists()


def test_the_broadcast_form_refuses_an_unknown_field_and_saves_a_known_one(
    campaign, company, alice, client_as
):
    CustomField.objects.create(company=company, name="Favorite animal")
    url = f"/campaigns/{campaign.pk}/broadcasts/new/"
    base = {"include_subscribers": "on", "send": "draft"}
    response = client_as(alice).post(url, {**base, "body": "Hi {{frist_name}}"})
    assert "{{frist_name}}" in response.content.decode()
    assert not Broadcast.objects.exists()
    client_as(alice).post(url, {**base, "body": "Hi {{first_name}}, a {{favorite animal}}"})
    assert Broadcast.objects.get().body == "Hi {{first_name}}, a {{favorite animal}}"


def test_a_broadcast_picked_from_a_template_records_it_on_every_message(
    campaign, company, alice, client_as
):
    template = MessageTemplate.objects.create(
        company=company, campaign=campaign, name="T", body="Hi {{first_name|friend}}"
    )
    url = f"/campaigns/{campaign.pk}/broadcasts/new/"
    data = {"include_subscribers": "on", "send": "draft", "message_template": template.pk}
    client_as(alice).post(url, {**data, "body": ""})
    broadcast = Broadcast.objects.get()
    assert broadcast.body == template.body and broadcast.message_template == template
    _send(broadcast)
    messages = Message.objects.filter(broadcast=broadcast)
    assert {m.message_template_id for m in messages} == {template.pk}
    assert sorted(m.body for m in messages) == ["Hi Ana", "Hi Maximiliana-Josefina"]
    root = ok(api_get(alice, "sent_messages"))
    assert {e.findtext("message_template_id") for e in root.iter("message")} == {str(template.pk)}


def _send(broadcast: Broadcast) -> None:
    Broadcast.objects.filter(pk=broadcast.pk).update(
        status=Broadcast.Status.SCHEDULED, delivery_time=timezone.now()
    )
    broadcast_generate(broadcast_id=broadcast.pk)
    for chunk in BroadcastChunk.objects.filter(broadcast=broadcast):
        broadcast_send_chunk(chunk_id=chunk.pk)


def test_the_composer_previews_a_sample_profile_and_the_longest_expansion(
    campaign, alice, client_as
):
    body = "Hi {{first_name|friend}}! " + "x" * 140
    response = client_as(alice).post(
        f"/campaigns/{campaign.pk}/broadcasts/preview/", {"body": body}
    )
    html = response.content.decode()
    assert "Hi Maximiliana-Josefina! " in html  # the newest subscriber with a name
    # The sample's long name costs a second segment; the count covers it.
    assert 'data-segments="2"' in html and 'data-longest-segments="2"' in html
    unknown = client_as(alice).post(
        f"/campaigns/{campaign.pk}/broadcasts/preview/", {"body": "{{shoe}}"}
    )
    assert "{{shoe}}" in unknown.content.decode()


def test_the_broadcast_page_warns_when_names_change_the_segment_count(
    campaign, alice, charlie, client_as
):
    body = "Hi {{first_name}}! " + "x" * 140  # Ana: 1 segment, the long name: 2
    broadcast = broadcast_create(campaign=campaign, body=body)
    page = client_as(charlie).get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert 'id="segments-warning"' in page
    assert "1 recipient gets 1 segment" in page and "1 recipient gets 2 segments" in page
    plain = broadcast_create(campaign=campaign, body="Hi all")
    page = client_as(charlie).get(f"/campaigns/broadcasts/{plain.pk}/").content.decode()
    assert 'id="segments-warning"' not in page


def test_the_broadcast_page_shows_unique_and_total_clicks(
    campaign, company, other_company, charlie, eve, client_as
):
    broadcast = broadcast_create(
        campaign=campaign, body="Polls: https://vote.example/x", shorten_links=True
    )
    _send(broadcast)
    link = TrackedLink.objects.get(broadcast=broadcast)
    messages = list(Message.objects.filter(broadcast=broadcast))
    assert all("https://sc.example.org/" in m.body for m in messages)
    for message in (messages[0], messages[0], messages[1]):
        Click.objects.create(
            company=company,
            link=link,
            profile_id=message.profile_id,
            click_key=uuid.uuid4(),
            token="t",
            clicked_at=timezone.now(),
        )
    page = client_as(charlie).get(f"/campaigns/broadcasts/{broadcast.pk}/").content.decode()
    assert '<span id="clicks-total">3</span>' in page
    assert '<span id="clicks-unique">2</span>' in page
    assert client_as(eve).get(f"/campaigns/broadcasts/{broadcast.pk}/").status_code == 404


def test_a_click_shows_in_the_profile_activity_feed(campaign, company, charlie, client_as):
    broadcast = broadcast_create(
        campaign=campaign, body="Polls: https://vote.example/x", shorten_links=True
    )
    _send(broadcast)
    message = Message.objects.filter(broadcast=broadcast).first()
    Click.objects.create(
        company=company,
        link=TrackedLink.objects.get(broadcast=broadcast),
        profile_id=message.profile_id,
        click_key=uuid.uuid4(),
        token="t",
        clicked_at=timezone.now(),
    )
    page = client_as(charlie).get(f"/profiles/{message.profile_id}/?tab=activity")
    html = page.content.decode()
    assert "Clicked a link" in html and "https://vote.example/x" in html
