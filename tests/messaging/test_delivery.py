import itertools
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from messaging.services import message_deliver, message_send, messages_queue_due
from messaging.webhooks import SIGNATURE_HEADER, webhook_headers
from profiles.models import CleanedReason, ProfileStatus
from tests.factories import make_campaign, make_profile, make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(company):
    return make_campaign(company)


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, "+12025550155")
    make_subscription(profile, campaign)
    return profile


def _queued(company, subscriber, campaign, body="Hi"):
    return message_send(
        company=company, profile=subscriber, body=body, campaign=campaign, enqueue=False
    )


_ids = itertools.count(1)


def _post(client, name, payload, signature=None, secret=None):
    """A webhook as the aggregator sends it: a text to Acme's short code, or a receipt
    from it, each inbound text with its own id unless the payload has one."""
    if name == "messaging:inbound":
        payload = {"to": "22822", "id": f"SM{next(_ids):032x}", **payload}
    else:
        payload = {"from": "22822", **payload}
    body = json.dumps(payload).encode()
    headers = webhook_headers(body, secret=secret)
    if signature is False:
        del headers[SIGNATURE_HEADER]
    elif signature:
        headers[SIGNATURE_HEADER] = signature
    return client.post(reverse(name), body, content_type="application/json", headers=headers)


def test_a_failed_attempt_is_sent_again_once_and_then_succeeds(
    company, campaign, subscriber, settings, fake_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_FAKE_RULES = {subscriber.phone_number: "fail_once"}
    message = _queued(company, subscriber, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        assert message_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)
    assert fake_outbox.sent_count == 1


def test_two_failed_attempts_make_the_message_failed_permanently(
    company, campaign, subscriber, settings, fake_outbox, django_capture_on_commit_callbacks
):
    settings.SMS_FAKE_RULES = {subscriber.phone_number: "error"}
    message = _queued(company, subscriber, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 2)
    assert message.status_reason == "Aggregator unavailable"
    assert message_deliver(message_id=message.pk) == "skipped"
    assert fake_outbox.sent_count == 0


def test_a_hard_bounce_cleans_the_profile_at_once(
    company, campaign, subscriber, settings, django_capture_on_commit_callbacks
):
    settings.SMS_FAKE_RULES = {subscriber.phone_number: "hard"}
    message = _queued(company, subscriber, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    subscriber.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
    assert subscriber.cleaned_reason == CleanedReason.HARD_BOUNCE
    assert subscriber.cleaned_at is not None
    assert subscriber.standing.status == ProfileStatus.UNDELIVERABLE
    later = _queued(company, subscriber, campaign)
    assert later.status == Message.Status.UNDELIVERABLE


def test_soft_bounces_clean_the_profile_after_the_configured_run(
    company, campaign, subscriber, settings, django_capture_on_commit_callbacks
):
    settings.SMS_SOFT_BOUNCE_LIMIT = 3
    settings.SMS_FAKE_RULES = {subscriber.phone_number: "soft"}
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=_queued(company, subscriber, campaign).pk)  # 2 attempts
    subscriber.refresh_from_db()
    assert subscriber.consecutive_soft_bounces == 2
    assert subscriber.cleaned_at is None
    with django_capture_on_commit_callbacks(execute=True):
        message_deliver(message_id=_queued(company, subscriber, campaign).pk)
    subscriber.refresh_from_db()
    assert subscriber.cleaned_reason == CleanedReason.SOFT_BOUNCE


def test_a_delivered_message_ends_a_run_of_soft_bounces(
    company, campaign, subscriber, django_capture_on_commit_callbacks
):
    type(subscriber).objects.filter(pk=subscriber.pk).update(consecutive_soft_bounces=3)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(company=company, profile=subscriber, body="Hi", campaign=campaign)
    subscriber.refresh_from_db()
    assert subscriber.consecutive_soft_bounces == 0


def test_a_scheduled_message_waits_until_it_is_due(
    company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks
):
    later = timezone.now() + timezone.timedelta(hours=1)
    message = message_send(
        company=company, profile=subscriber, body="Hi", campaign=campaign, scheduled_at=later
    )
    assert message.status == Message.Status.INITIAL
    assert messages_queue_due() == {"queued": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_queue_due(now=later) == {"queued": 1}
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_an_unsigned_or_badly_signed_webhook_is_refused(client, company):
    payload = {"from": "+12025550199", "body": "hi"}
    assert _post(client, "messaging:inbound", payload, signature=False).status_code == 403
    assert _post(client, "messaging:inbound", payload, signature="sha256=00").status_code == 403
    assert _post(client, "messaging:inbound", payload, secret="not-the-secret").status_code == 403
    assert _post(client, "messaging:receipts", {"id": "x", "status": "delivered"},
                 signature=False).status_code == 403  # fmt: skip
    assert not Message.objects.exists()


def test_a_signed_inbound_webhook_stores_and_classifies_the_message(client, company):
    response = _post(client, "messaging:inbound", {"from": "(202) 555-0199", "body": "hi"})
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.phone_number, message.direction, message.body) == ("+12025550199", "mo", "hi")
    assert response.json() == {"id": message.pk, "redelivered": False}
    assert message.message_type == "unmatched"


def test_a_signed_webhook_with_bad_data_gets_a_clear_error(client, company):
    assert _post(client, "messaging:inbound", {"body": "hi"}).status_code == 400
    response = _post(client, "messaging:inbound", {"from": "not a number", "body": "hi"})
    assert response.status_code == 400
    assert "Not a phone number" in response.json()["error"]


def test_a_failed_delivery_receipt_resends_once_then_fails_permanently(
    client, company, campaign, subscriber, fake_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(company=company, profile=subscriber, body="Hi", campaign=campaign)
    message.refresh_from_db()
    first_id = message.gateway_message_id
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(client, "messaging:receipts", {"id": first_id, "status": "failed",
                                                       "bounce": "soft"})  # fmt: skip
    assert answer.json() == {"outcome": "retry"}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)
    _post(client, "messaging:receipts", {"id": message.gateway_message_id, "status": "failed"})
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert fake_outbox.sent_count == 2


def test_a_hard_bounce_receipt_cleans_the_profile(
    client, company, campaign, subscriber, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(company=company, profile=subscriber, body="Hi", campaign=campaign)
    message.refresh_from_db()
    _post(client, "messaging:receipts",
          {"id": message.gateway_message_id, "status": "failed", "bounce": "hard"})  # fmt: skip
    subscriber.refresh_from_db()
    message.refresh_from_db()
    assert subscriber.cleaned_reason == CleanedReason.HARD_BOUNCE
    assert message.status == Message.Status.FAILED
