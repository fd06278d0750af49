"""Revocations in free text, end to end: the webhook, the queue, the periodic guard."""

import json
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns.models import Subscription
from messaging.business_days import business_days_after
from messaging.models import FreeTextRevocation, Message, MOType, MTType
from messaging.revocation_services import (
    ORIGIN_DEADLINE,
    RevocationError,
    revocation_opt_out,
    revocations_enforce,
)
from messaging.services import message_send
from messaging.tasks import revocations_enforce as revocations_enforce_task
from messaging.webhooks import webhook_headers
from profiles.models import ActivityEvent, OptOutSource
from tests.factories import make_campaign, make_profile, make_subscription, receive_text

pytestmark = pytest.mark.django_db

PHONE = "+12025550188"
Status = FreeTextRevocation.Status


@pytest.fixture
def campaign(company):
    return make_campaign(company, "Alerts", opt_out_text="Acme: you will get no more texts.")


@pytest.fixture
def subscriber(company, campaign):
    profile = make_profile(company, PHONE)
    make_subscription(profile, campaign)
    return profile


def _receipts(profile):
    return Message.objects.filter(
        profile=profile, direction=Message.Direction.MT, message_type=MTType.OPT_OUT_RECEIPT
    )


def _post(client, body, message_id):
    payload = json.dumps({"id": message_id, "from": PHONE, "to": "22822", "body": body}).encode()
    return client.post(
        reverse("messaging:inbound"),
        payload,
        content_type="application/json",
        headers=webhook_headers(payload),
    )


def test_a_clear_revocation_through_the_webhook_opts_out_everywhere_with_one_receipt(
    client, subscriber, campaign, company
):
    # Alerts texted last; News is left too: the person asked not to be texted at all.
    make_subscription(subscriber, make_campaign(company, "News"))
    alert = message_send(company=company, profile=subscriber, body="Rally at 5", campaign=campaign)
    assert _post(client, "Please stop texting me", "SM1").status_code == 200
    message = Message.objects.get(direction="mo")
    assert message.message_type == MOType.OPT_OUT
    subscriber.refresh_from_db()
    assert subscriber.standing.opted_out_globally
    assert subscriber.standing.opted_out_source == OptOutSource.FREE_TEXT
    assert not subscriber.subscriptions.filter(status=Subscription.Status.ACTIVE).exists()
    assert set(subscriber.subscriptions.values_list("opt_out_source", flat=True)) == {
        OptOutSource.FREE_TEXT
    }
    receipt = _receipts(subscriber).get()
    assert receipt.body == "Acme: you will get no more texts."
    assert receipt.in_reply_to == message and message.in_reply_to == alert
    row = FreeTextRevocation.objects.get()
    assert (row.kind, row.status, row.rule) == ("clear", Status.OPTED_OUT, "en.stop_texting_me")
    assert row.message == message and row.decided_at is not None
    event = ActivityEvent.objects.get(profile=subscriber, kind="opted_out")
    assert event.data["source"] == "Revoked in free text"
    # Saying it again in other words changes nothing and sends nothing more.
    assert _post(client, "no me envíen más mensajes", "SM2").status_code == 200
    assert _receipts(subscriber).count() == 1
    assert FreeTextRevocation.objects.count() == 2


def test_a_probable_revocation_is_queued_with_its_due_date_and_stays_a_reply(
    subscriber, campaign, company
):
    # Friday 18 December 2026, 15:00 in New York: Christmas and New Year's Day fall inside.
    received = datetime(2026, 12, 18, 20, 0, tzinfo=UTC)
    result = receive_text(company, PHONE, "why do you keep texting", received_at=received)
    assert result.message.message_type == MOType.REPLY
    assert not _receipts(subscriber).exists()
    subscriber.refresh_from_db()
    assert not subscriber.standing.opted_out_globally
    row = FreeTextRevocation.objects.get()
    assert (row.kind, row.status, row.rule) == ("probable", Status.PENDING, "en.why_keep_texting")
    assert row.profile == subscriber and row.company == company
    assert row.due_date == date(2027, 1, 5) == business_days_after(date(2026, 12, 18), 10)
    assert row.escalate_on == date(2026, 12, 30)  # three business days before, 1 Jan skipped


def test_the_due_date_counts_from_the_companys_date(subscriber, company):
    # 02:00 UTC on Saturday is still Friday evening in New York.
    received = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    receive_text(company, PHONE, "who is this? stop", received_at=received)
    assert FreeTextRevocation.objects.get().due_date == date(2026, 12, 18)


def test_a_text_that_merely_mentions_stopping_is_a_reply_and_queues_nothing(subscriber, company):
    result = receive_text(company, PHONE, "we have to stop this bill")
    assert result.message.message_type == MOType.REPLY
    assert not FreeTextRevocation.objects.exists()
    assert subscriber.subscriptions.filter(status="Active").count() == 1


def test_an_exact_stop_word_is_still_a_stop_word_and_not_recorded_as_free_text(subscriber, company):
    result = receive_text(company, PHONE, "STOP")
    assert result.message.message_type == MOType.OPT_OUT
    assert not FreeTextRevocation.objects.exists()


def test_a_probable_revocation_from_an_opted_out_number_queues_nothing(subscriber, company):
    receive_text(company, PHONE, "STOP ALL")
    receive_text(company, PHONE, "why are you texting me")
    assert not FreeTextRevocation.objects.exists()


def _queued(company, received=datetime(2026, 12, 18, 20, 0, tzinfo=UTC)):
    receive_text(company, PHONE, "I don't want these", received_at=received)
    return FreeTextRevocation.objects.get(status=Status.PENDING)


def _at(day, hour_utc=14):
    return datetime(day.year, day.month, day.day, hour_utc, 0, tzinfo=UTC)


def test_the_guard_escalates_before_the_due_date_and_opts_out_on_it(subscriber, company):
    item = _queued(company)
    assert revocations_enforce(now=_at(date(2026, 12, 29))) == {
        "escalated": 0,
        "auto_opted_out": 0,
        "already_opted_out": 0,
    }
    assert revocations_enforce(now=_at(date(2026, 12, 30)))["escalated"] == 1
    item.refresh_from_db()
    assert item.escalated_at is not None and item.status == Status.PENDING
    assert revocations_enforce(now=_at(date(2027, 1, 4)))["auto_opted_out"] == 0
    # 05:30 UTC on 5 January is 00:30 in New York: the due date has begun.
    assert revocations_enforce(now=datetime(2027, 1, 5, 5, 30, tzinfo=UTC))["auto_opted_out"] == 1
    item.refresh_from_db()
    assert item.status == Status.AUTO_OPTED_OUT and item.decided_by is None
    subscriber.refresh_from_db()
    assert subscriber.standing.opted_out_globally
    assert subscriber.standing.opted_out_source == OptOutSource.FREE_TEXT
    event = ActivityEvent.objects.get(profile=subscriber, kind="opted_out")
    assert event.origin == ORIGIN_DEADLINE
    assert not _receipts(subscriber).exists()  # the one confirmation is for the first minutes
    again = revocations_enforce(now=datetime(2027, 1, 6, tzinfo=UTC))
    assert again == {"escalated": 0, "auto_opted_out": 0, "already_opted_out": 0}


def test_an_item_whose_number_was_opted_out_meanwhile_closes_as_already_opted_out(
    subscriber, company
):
    item = _queued(company)
    receive_text(company, PHONE, "STOP ALL")
    stats = revocations_enforce(now=_at(date(2026, 12, 21)))
    assert stats["already_opted_out"] == 1
    item.refresh_from_db()
    assert item.status == Status.ALREADY_OPTED_OUT
    assert item.decided_at >= item.received_at


def test_a_later_clear_revocation_decides_the_waiting_items(subscriber, company):
    item = _queued(company)
    receive_text(company, PHONE, "take me off your list")
    item.refresh_from_db()
    assert item.status == Status.OPTED_OUT


def test_an_agent_decision_cannot_be_taken_twice(subscriber, company, bob):
    item = _queued(company)
    revocation_opt_out(company=company, pk=item.pk, user=bob)
    item.refresh_from_db()
    assert item.status == Status.OPTED_OUT and item.decided_by == bob
    with pytest.raises(RevocationError):
        revocation_opt_out(company=company, pk=item.pk, user=bob)
    assert ActivityEvent.objects.filter(profile=subscriber, kind="opted_out").count() == 1


def test_the_periodic_task_does_not_overlap(subscriber, company):
    _queued(company)
    cache.add("lock:revocations_enforce", "1", 60)
    try:
        assert revocations_enforce_task() == {"skipped": "another run is in progress"}
    finally:
        cache.delete("lock:revocations_enforce")
    assert set(revocations_enforce_task()) == {"escalated", "auto_opted_out", "already_opted_out"}
