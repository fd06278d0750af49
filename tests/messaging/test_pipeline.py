"""The sending pipeline against the local fake providers: in flight, paced, reconciled."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import httpx
import pytest

from campaigns.models import Subscription
from messaging import carriers
from messaging.delivery import messages_deliver_batch
from messaging.in_flight import (
    OUTCOME_UNKNOWN,
    in_flight_claim,
    messages_reconcile_in_flight,
)
from messaging.models import Message
from messaging.services import message_deliver, message_send
from profiles.models import OptOutSource
from tests.factories import make_campaign, make_profile, make_subscription
from tests.fakes.providers import FakeConfig, serve

pytestmark = pytest.mark.django_db

GATEWAYS = {
    "twilio": "messaging.carriers.TwilioGateway",
    "telnyx": "messaging.carriers.TelnyxGateway",
    "bandwidth": "messaging.carriers.BandwidthGateway",
    "generic": "messaging.gateways.HttpGateway",
}


@contextmanager
def carrier(settings, provider: str = "twilio", *, concurrency: int = 100, **config):
    """The fake providers, and settings sending every message to `provider` on it."""
    fake_config = FakeConfig(**config)
    with serve(fake_config) as fake:
        carriers.engine_close()  # a fresh pool: connection counts start at zero
        settings.SMS_GATEWAY = GATEWAYS[provider]
        settings.SMS_PROVIDER = provider if provider != "generic" else "twilio"
        settings.SMS_PROVIDER_BASE_URL = fake.base_url
        settings.SMS_GATEWAY_URL = f"{fake.base_url}/generic/messages"
        settings.SMS_GATEWAY_TOKEN = fake_config.generic_token
        settings.SMS_STATUS_CALLBACK_URL = "https://sms.example.org/messaging/receipts/"
        settings.SMS_NUMBER_MPS = 1_000_000  # pacing is ratelimit's tests' business
        settings.SMS_SEND_CONCURRENCY = concurrency
        settings.TWILIO_ACCOUNT_SID = fake_config.twilio_account_sid
        settings.TWILIO_AUTH_TOKEN = fake_config.twilio_auth_token
        settings.TELNYX_API_KEY = fake_config.telnyx_api_key
        settings.BANDWIDTH_ACCOUNT_ID = fake_config.bandwidth_account_id
        settings.BANDWIDTH_USERNAME = fake_config.bandwidth_username
        settings.BANDWIDTH_PASSWORD = fake_config.bandwidth_password
        settings.BANDWIDTH_APPLICATION_ID = "app-1"
        settings.SMS_DEFAULT_ORIGINATOR = "+12028830000"
        try:
            yield fake
        finally:
            carriers.engine_close()


@pytest.fixture
def campaign(company):
    return make_campaign(company)


def _subscribers(company, campaign, count: int, start: int = 100):
    profiles = []
    for i in range(count):
        profile = make_profile(company, f"+1202555{start + i:04d}")
        make_subscription(profile, campaign)
        profiles.append(profile)
    return profiles


def _queue(company, campaign, profiles, body="Polls open 7am") -> list[Message]:
    return [
        message_send(
            company=company,
            profile=p,
            body=body,
            campaign=campaign,
            originator="+12028830000",
            enqueue=False,
        )
        for p in profiles
    ]


def _statuses(messages) -> list[str]:
    return list(
        Message.objects.filter(pk__in=[m.pk for m in messages])
        .order_by("pk")
        .values_list("status", flat=True)
    )


def test_one_worker_keeps_many_requests_in_flight(company, campaign, settings):
    profiles = _subscribers(company, campaign, 40)
    with carrier(settings, latency=0.05, hold_until_in_flight=40) as fake:
        messages = _queue(company, campaign, profiles)
        outcomes = messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        # With one request at a time the fake would never see two at once.
        assert fake.max_in_flight == 40
    assert outcomes["sent"] == 40
    assert set(_statuses(messages)) == {Message.Status.SENT}


@pytest.mark.parametrize("provider", ["twilio", "telnyx", "bandwidth", "generic"])
def test_every_http_gateway_sends_many_in_flight_each_message_once(
    company, campaign, settings, provider
):
    profiles = _subscribers(company, campaign, 12)
    with carrier(settings, provider, latency=0.05, hold_until_in_flight=12) as fake:
        messages = _queue(company, campaign, profiles)
        messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        assert fake.max_in_flight == 12
        accepted = fake.accepted["generic" if provider == "generic" else provider]
        assert fake.refs == {str(m.pk): 1 for m in messages}
    stored = Message.objects.filter(pk__in=[m.pk for m in messages])
    assert sorted(stored.values_list("gateway_message_id", flat=True)) == sorted(accepted)
    assert not stored.filter(sending_started_at__isnull=False).exists()


def test_connections_are_reused_across_requests_and_batches(company, campaign, settings):
    profiles = _subscribers(company, campaign, 30)
    with carrier(settings, concurrency=5, latency=0.02) as fake:
        first = _queue(company, campaign, profiles[:15], body="One")
        messages_deliver_batch(messages=Message.objects.filter(pk__in=[m.pk for m in first]))
        second = _queue(company, campaign, profiles[15:], body="Two")
        messages_deliver_batch(messages=Message.objects.filter(pk__in=[m.pk for m in second]))
        assert len(fake.requests) == 30
        # One pool of at most five connections for thirty requests in two batches.
        assert fake.connections <= 5
    assert set(_statuses(first + second)) == {Message.Status.SENT}


def test_a_429_requeues_the_message_and_never_fails_it(
    company, campaign, settings, django_capture_on_commit_callbacks
):
    profiles = _subscribers(company, campaign, 5)
    settings.SMS_THROTTLE_WAIT_SECONDS = 0  # hand throttled messages back at once
    # The fake's clock stands still: three requests fit its cap, every later one is a 429.
    with carrier(settings, rate_limit=3, clock=lambda: 0.0) as fake:
        _queue(company, campaign, profiles)
        with django_capture_on_commit_callbacks() as callbacks:
            outcomes = messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        assert fake.throttled == 2
    assert (outcomes["sent"], outcomes["failed"], outcomes["retry"]) == (3, 0, 2)
    waiting = Message.objects.filter(campaign=campaign, status=Message.Status.QUEUED)
    assert waiting.count() == 2
    # Not an attempt, not in flight, no bounce counted against the number.
    assert set(waiting.values_list("attempts", "sending_started_at", "error_code")) == {
        (0, None, "")
    }
    assert not Message.objects.filter(status=Message.Status.FAILED).exists()
    assert {p.consecutive_soft_bounces for p in profiles} == {0}
    assert len(callbacks) == 1  # one delivery task queued again for the two


def test_a_429_on_a_single_send_queues_it_again_uncounted(
    company, campaign, settings, django_capture_on_commit_callbacks
):
    (profile,) = _subscribers(company, campaign, 1)
    settings.SMS_THROTTLE_WAIT_SECONDS = 0
    with carrier(settings, rate_limit=0, clock=lambda: 0.0):
        (message,) = _queue(company, campaign, [profile])
        with django_capture_on_commit_callbacks() as callbacks:
            assert message_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sending_started_at) == (
        Message.Status.QUEUED,
        0,
        None,
    )
    assert len(callbacks) == 1


def test_a_carrier_opt_out_code_opts_the_profile_out(company, campaign, settings):
    (profile,) = _subscribers(company, campaign, 1)
    with carrier(settings, twilio_errors={profile.phone_number: 21610}):
        (message,) = _queue(company, campaign, [profile])
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.FAILED, "21610")
    profile = type(profile).objects.get(pk=profile.pk)
    assert profile.standing.opted_out_globally
    assert profile.standing.opted_out_source == OptOutSource.STOP_WORD
    assert Subscription.objects.get(profile=profile).status == Subscription.Status.OPTED_OUT
    later = message_send(company=company, profile=profile, body="Again", campaign=campaign)
    assert later.status == Message.Status.UNDELIVERABLE


def test_a_landline_code_marks_the_number_invalid(company, campaign, settings):
    (profile,) = _subscribers(company, campaign, 1)
    with carrier(settings, twilio_errors={profile.phone_number: 21614}):
        (message,) = _queue(company, campaign, [profile])
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1  # final: the carrier would say the same again
    profile.refresh_from_db()
    assert profile.number_type == "landline"
    later = message_send(company=company, profile=profile, body="Again", campaign=campaign)
    assert later.status == Message.Status.UNDELIVERABLE


def _crash_after_claim(messages, *, reached_provider: bool, fake, settings) -> None:
    """What a worker killed mid-batch leaves: claimed messages, maybe already sent."""
    fields = ["pk", "phone_number", "body"]
    claimed = in_flight_claim([m.pk for m in messages], fields)
    assert len(claimed) == len(messages)
    if reached_provider:
        for message in messages:
            call = carriers.TwilioGateway().outgoing(message).call
            assert call is not None
            httpx.request(
                call.method,
                call.url,
                headers=call.headers,
                content=call.body,
            )


def test_a_crash_between_in_flight_and_result_does_not_resend(company, campaign, settings):
    profiles = _subscribers(company, campaign, 3)
    with carrier(settings) as fake:
        messages = _queue(company, campaign, profiles)
        _crash_after_claim(messages, reached_provider=True, fake=fake, settings=settings)
        # The redelivered chunk finds them in flight and leaves them alone.
        assert messages_deliver_batch(messages=Message.objects.filter(campaign=campaign)) == {
            "sent": 0,
            "failed": 0,
            "retry": 0,
            "undeliverable": 0,
            "held": 0,
        }
        outcomes = messages_reconcile_in_flight(timeout=0)
        assert fake.refs == {str(m.pk): 1 for m in messages}  # one text each, not two
    assert outcomes == {"sent": 3, "requeued": 0, "failed": 0}
    stored = Message.objects.filter(campaign=campaign)
    assert set(stored.values_list("status", flat=True)) == {Message.Status.SENT}
    assert sorted(stored.values_list("gateway_message_id", flat=True)) == sorted(
        fake.accepted["twilio"]
    )


def test_a_crash_before_the_request_left_sends_it_once_after_the_lookup(
    company, campaign, settings, django_capture_on_commit_callbacks
):
    profiles = _subscribers(company, campaign, 2)
    with carrier(settings) as fake:
        messages = _queue(company, campaign, profiles)
        _crash_after_claim(messages, reached_provider=False, fake=fake, settings=settings)
        with django_capture_on_commit_callbacks(execute=True):
            outcomes = messages_reconcile_in_flight(timeout=0)
        assert fake.refs == {str(m.pk): 1 for m in messages}
    assert outcomes == {"sent": 0, "requeued": 2, "failed": 0}
    assert set(_statuses(messages)) == {Message.Status.SENT}
    assert set(Message.objects.filter(campaign=campaign).values_list("attempts", flat=True)) == {1}


def test_without_a_provider_lookup_a_crashed_message_fails_and_is_never_resent(
    company, campaign, settings
):
    profiles = _subscribers(company, campaign, 2)
    with carrier(settings, "telnyx") as fake:
        messages = _queue(company, campaign, profiles)
        in_flight_claim([m.pk for m in messages], ["pk"])
        outcomes = messages_reconcile_in_flight(timeout=0)
        messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        assert fake.requests == []
    assert outcomes == {"sent": 0, "requeued": 0, "failed": 2}
    stored = Message.objects.filter(campaign=campaign)
    assert set(stored.values_list("status", "status_reason")) == {
        (Message.Status.FAILED, OUTCOME_UNKNOWN)
    }


def test_a_message_in_flight_shorter_than_the_timeout_is_left_to_its_worker(
    company, campaign, settings
):
    (profile,) = _subscribers(company, campaign, 1)
    with carrier(settings) as fake:
        (message,) = _queue(company, campaign, [profile])
        in_flight_claim([message.pk], ["pk"])
        assert messages_reconcile_in_flight(timeout=3600) == {
            "sent": 0,
            "requeued": 0,
            "failed": 0,
        }
        assert fake.requests == []
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.sending_started_at is not None


def test_redis_down_falls_back_to_a_local_bucket_and_delivery_continues(
    company, campaign, settings, caplog
):
    profiles = _subscribers(company, campaign, 5)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with carrier(settings) as fake, caplog.at_level(logging.WARNING, "messaging.ratelimit"):
        messages = _queue(company, campaign, profiles)
        outcomes = messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        assert len(fake.accepted["twilio"]) == 5
    assert outcomes["sent"] == 5
    assert set(_statuses(messages)) == {Message.Status.SENT}
    assert "Redis unreachable" in caplog.text


def test_requests_stay_in_flight_across_slices(company, campaign, settings, monkeypatch):
    """No barrier per slice: the next slice is claimed and started while the one before
    is still waiting for its answers (slice-by-slice, 10 would be the most in flight)."""
    from messaging import delivery

    monkeypatch.setattr(delivery, "_slice_size", lambda: 10)
    profiles = _subscribers(company, campaign, 40)
    with carrier(settings, hold_until_in_flight=30) as fake:
        messages = _queue(company, campaign, profiles)
        outcomes = messages_deliver_batch(messages=Message.objects.filter(campaign=campaign))
        assert fake.max_in_flight >= 30
        assert fake.refs == {str(m.pk): 1 for m in messages}
    assert outcomes["sent"] == 40
    assert set(_statuses(messages)) == {Message.Status.SENT}


class _BrokenLimiter:
    """Grants the first `grants` calls in full, then fails as a broken pump would."""

    def __init__(self, grants: int) -> None:
        self.grants = grants

    def take(self, key, *, mps, wanted, now=None):
        from messaging.ratelimit import Grant

        if self.grants <= 0:
            raise RuntimeError("limiter broke")
        self.grants -= 1
        return Grant(min(wanted, 3), 0.0)

    def pause(self, key, *, mps, seconds, now=None):
        pass


def test_a_pump_that_breaks_answers_every_message_and_resends_none(company, campaign, settings):
    profiles = _subscribers(company, campaign, 8)
    with carrier(settings, latency=0.2) as fake:
        messages = _queue(company, campaign, profiles)
        outgoing = [carriers.TwilioGateway().outgoing(m) for m in messages]
        results = carriers.dispatch(outgoing, limiter=_BrokenLimiter(grants=1))
    assert len(results) == 8
    started, unstarted = results[:3], results[3:]
    # Started: the provider may have them; never to be sent again.
    assert all(not r.ok and not r.retriable and "outcome unknown" in r.error for r in started)
    # Never started: handed back like a throttled message, to be queued again.
    assert all(r.throttled for r in unstarted)
    assert len(fake.requests) == 3
