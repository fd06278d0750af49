"""Incoming and outgoing message lists, sending SMS and MMS, attachments, conversations."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging.models import Attachment, Conversation, Message
from tests import api_samples
from tests.api_client import api_get, api_post, error_of, ok, sample, shape
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _message(company, profile, campaign, direction, **fields):
    return Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=direction,
        campaign=campaign,
        **fields,
    )


@pytest.fixture
def thread(company):
    """An MT, the MO answering it, and a later MT to the same number."""
    profile = make_profile(company, "+16505550123", first_name="John", last_name="Doe")
    campaign = make_campaign(company, "MC_test2")
    base = dt.datetime(2019, 6, 27, 20, 0, tzinfo=dt.UTC)
    first = _message(
        company,
        profile,
        campaign,
        "mt",
        message_type="info_request",
        body="Your address?",
        status="Sent",
        sent_at=base,
        created_at=base,
    )
    reply = _message(
        company,
        profile,
        campaign,
        "mo",
        message_type="opt_out",
        body="stop",
        received_at=base + dt.timedelta(minutes=45),
        created_at=base + dt.timedelta(minutes=45),
    )
    last = _message(
        company,
        profile,
        campaign,
        "mt",
        message_type="opt_out_receipt",
        body="Bye",
        status="Sent",
        sent_at=base + dt.timedelta(hours=1),
        created_at=base + dt.timedelta(hours=1),
    )
    return first, reply, last


def test_incoming_messages_have_the_seed_shape_with_thread_links(alice, company, thread):
    from profiles.models import CustomField

    CustomField.objects.create(company=company, name="Age", field_type="age")
    first, reply, last = thread
    reply.profile.source_user = alice
    reply.profile.save()
    root = ok(api_get(alice, "messages", {"limit": 20}))
    # The id of the group or keyword a profile came from is not recorded on profiles.
    source_id = {"response/messages/message/profile/source@id"}
    missing = shape(sample(api_samples.INCOMING_MESSAGES)) - source_id - shape(root)
    assert not missing, missing
    container = root.find("messages")
    assert (container.get("page"), container.get("limit"), container.get("page_count")) == (
        "1",
        "20",
        "1",
    )
    message = container.find("message")
    assert (message.get("id"), message.get("type")) == (str(reply.pk), "opt_out")
    assert message.findtext("phone_number") == "16505550123"
    assert message.findtext("received_at") == "2019-06-27 20:45:00 UTC"
    assert message.find("previous_id").get("id") == str(first.pk)
    assert message.find("next_id").get("id") == str(last.pk)
    assert message.find("profile[@id]").findtext("first_name") == "John"


def test_outgoing_messages_have_the_seed_shape(alice, thread):
    first, _reply, last = thread
    root = ok(api_get(alice, "sent_messages", {"limit": 1, "page": 2}))
    assert shape(root) == shape(sample(api_samples.OUTGOING_MESSAGES))
    container = root.find("messages")
    assert container.get("page_count") == "2"
    message = container.find("message")
    assert (message.get("id"), message.get("status")) == (str(first.pk), "sent")
    assert message.findtext("sent_at") == "2019-06-27 20:00:00 UTC"


def test_message_lists_filter_by_time_campaign_and_number(alice, company, thread):
    params = {"from": "2019-06-27T20:30:00", "to": "2019-06-27T20:50:00Z"}
    assert len(ok(api_get(alice, "messages", params)).findall("messages/message")) == 1
    params = {"start_time": "2019-06-27T21:30:00"}
    assert len(ok(api_get(alice, "messages", params)).findall("messages/message")) == 0
    other = make_campaign(company, "Other")
    assert not ok(api_get(alice, "sent_messages", {"campaign_id": other.pk})).findall(
        "messages/message"
    )
    params = {"phone_number": "12025550000"}
    assert not ok(api_get(alice, "sent_messages", params)).findall("messages/message")
    assert error_of(api_get(alice, "messages", {"from": "2019-99-01"}))[0] == 16


def test_another_companys_messages_are_never_listed(eve, thread):
    assert not ok(api_get(eve, "messages")).findall("messages/message")
    assert not ok(api_get(eve, "sent_messages")).findall("messages/message")


# --- Sending ------------------------------------------------------------------------------


@pytest.fixture
def subscriber(company):
    profile = make_profile(company, "+12025551234")
    campaign = make_campaign(company)
    make_subscription(profile, campaign)
    return profile, campaign


def test_send_message_goes_through_the_one_send_path(bob, subscriber):
    profile, campaign = subscriber
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234", "body": "Hi there"}
    root = ok(api_post(bob, "send_message", data))
    message = Message.objects.get(direction="mt")
    assert root.find("message").get("id") == str(message.pk)
    assert (message.body, message.profile, message.sent_by) == ("Hi there", profile, bob)
    assert message.status != "Undeliverable"


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"body": ""}, 3, 400),
        ({"body": "x" * 161}, 3, 400),
        ({"campaign_id": "999999"}, 1, 404),
        ({"phone_number": "12025559999"}, 5, 404),
        ({"phone_number": ""}, 28, 400),
        ({"previous_id": "999999"}, 31, 404),
        ({"attachment_id": "999999"}, 21, 404),
    ],
)
def test_send_message_errors_send_nothing(alice, subscriber, change, code, status):
    _profile, campaign = subscriber
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234", "body": "Hi", **change}
    response = api_post(alice, "send_message", data)
    assert (response.status_code, error_of(response)[0]) == (status, code)
    assert not Message.objects.exists()


def test_an_opted_out_number_gets_nothing(alice, company):
    profile = make_profile(company, "+12025551234")
    campaign = make_campaign(company)
    make_subscription(profile, campaign, status="Opted-Out")
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234", "body": "Hi"}
    response = api_post(alice, "send_message", data)
    assert error_of(response)[0] == 11
    assert not Message.objects.exists()


def test_a_blacklisted_subscriber_is_not_textable(alice, subscriber):
    profile, campaign = subscriber
    profile.blacklisted = True
    profile.save()
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234", "body": "Hi"}
    response = api_post(alice, "send_message", data)
    assert error_of(response)[0] == 14
    assert not Message.objects.exists()


def test_a_staff_reader_cannot_send(charlie, subscriber):
    _profile, campaign = subscriber
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234", "body": "Hi"}
    assert api_post(charlie, "send_message", data).status_code == 403


def test_send_mms_with_an_uploaded_image(alice, subscriber):
    _profile, campaign = subscriber
    upload = SimpleUploadedFile("sunrise.png", PNG, content_type="image/png")
    data = {
        "campaign_id": campaign.pk,
        "phone_number": "12025551234",
        "uploaded_attachment": upload,
    }
    ok(api_post(alice, "send_mms", data))
    message = Message.objects.get(direction="mt")
    assert message.attachment is not None and message.attachment.content_type == "image/png"


def test_a_refused_mms_keeps_no_upload(alice, company):
    campaign = make_campaign(company)
    make_profile(company, "+12025551234")  # not subscribed
    upload = SimpleUploadedFile("sunrise.png", PNG, content_type="image/png")
    data = {
        "campaign_id": campaign.pk,
        "phone_number": "12025551234",
        "uploaded_attachment": upload,
    }
    assert error_of(api_post(alice, "send_mms", data))[0] == 11
    assert not Attachment.objects.exists()


# --- Attachments and conversations -------------------------------------------------------


def test_upload_list_and_archive_attachments(alice, company):
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    root = ok(
        api_post(alice, "upload_attachment", {"uploaded_attachment": upload, "name": "Sunrise"})
    )
    assert shape(root) == shape(sample(api_samples.UPLOAD_ATTACHMENT))
    attachment = Attachment.objects.get()
    assert root.findtext("attachment/name") == "Sunrise"
    assert root.findtext("attachment/thumbnail_link").startswith("http://testserver/")
    listing = ok(api_get(alice, "attachments"))
    assert shape(listing) == shape(sample(api_samples.ATTACHMENTS))
    ok(api_get(alice, "archive_attachment", {"attachment_id": attachment.pk}))
    assert not ok(api_get(alice, "attachments")).findall("attachments/attachment")


def test_an_upload_that_is_not_an_image_is_refused(alice):
    upload = SimpleUploadedFile("evil.png", b"<html><script>", content_type="image/png")
    response = api_post(alice, "upload_attachment", {"uploaded_attachment": upload})
    assert error_of(response)[0] == 21
    assert not Attachment.objects.exists()


def test_clear_conversation(bob, subscriber, company):
    profile, campaign = subscriber
    Conversation.objects.create(
        company=company, profile=profile, campaign=campaign, awaiting="info"
    )
    data = {"campaign_id": campaign.pk, "phone_number": "12025551234"}
    root = ok(api_post(bob, "clear_conversation", data))
    assert shape(root) == shape(sample(api_samples.CLEAR_CONVERSATION))
    assert Conversation.objects.get().awaiting == ""
    assert error_of(api_post(bob, "clear_conversation", {"phone_number": "12025551234"}))[0] == 1
