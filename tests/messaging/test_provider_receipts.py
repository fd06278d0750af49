"""Receipts merge the same whatever their order or repetition; what all providers share."""

import asyncio
import itertools
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from messaging.providers import PROVIDERS, bandwidth, telnyx, twilio
from messaging.providers.base import (
    OPT_OUT_SOURCE,
    Delivery,
    DeliveryStatus,
    NumberFact,
    SendRequest,
    StatusUpdate,
    TwilioCredentials,
    retry_after_seconds,
    send_async,
)
from messaging.providers.receipts import status_merge
from profiles.models import OptOutSource
from tests.fakes.providers import FakeConfig, serve

QUEUED = Delivery(DeliveryStatus.QUEUED)
SENT = Delivery(DeliveryStatus.SENT)
DELIVERED = Delivery(DeliveryStatus.DELIVERED)
THROTTLED = Delivery(DeliveryStatus.FAILED, permanent=False, error_code="30022")
SOFT = Delivery(DeliveryStatus.FAILED, True, "30003", NumberFact.SOFT_BOUNCE)
OPTED_OUT = Delivery(DeliveryStatus.FAILED, True, "21610", NumberFact.OPTED_OUT)


def _apply(receipts):
    state = None
    for receipt in receipts:
        state = status_merge(state, receipt)
    return state


def test_applying_the_same_receipt_twice_changes_nothing():
    for receipt in (QUEUED, SENT, DELIVERED, THROTTLED, SOFT, OPTED_OUT):
        once = status_merge(None, receipt)
        assert status_merge(once, receipt) == once == receipt


def test_a_late_sent_never_undoes_a_delivered():
    assert _apply([DELIVERED, SENT, QUEUED]) == DELIVERED


def test_a_later_delivered_for_one_part_never_hides_an_earlier_permanent_failure():
    assert _apply([SENT, SOFT, DELIVERED]) == SOFT


def test_a_delivered_after_a_throttled_attempt_is_what_stays():
    assert _apply([SENT, THROTTLED, DELIVERED]) == DELIVERED
    assert _apply([DELIVERED, THROTTLED]) == DELIVERED


def test_an_opt_out_wins_over_another_parts_soft_bounce():
    assert _apply([SOFT, OPTED_OUT]) == OPTED_OUT == _apply([OPTED_OUT, SOFT])


def test_a_provider_receipt_merges_as_its_delivery():
    update = StatusUpdate(
        external_id="SM1",
        status=DeliveryStatus.FAILED,
        provider_status="undelivered",
        permanent=True,
        error_code="30003",
        number_fact=NumberFact.SOFT_BOUNCE,
    )
    assert status_merge(DELIVERED, update) == SOFT


def test_every_order_of_the_same_receipts_ends_in_the_same_state():
    receipts = [QUEUED, SENT, THROTTLED, DELIVERED, SOFT, OPTED_OUT]
    ends = {_apply(order) for order in itertools.permutations(receipts)}
    assert ends == {OPTED_OUT}


deliveries = st.sampled_from([QUEUED, SENT, DELIVERED, THROTTLED, SOFT, OPTED_OUT])


@given(st.lists(deliveries, min_size=1, max_size=8), st.randoms())
def test_merging_is_order_independent_and_idempotent(receipts, rnd):
    shuffled = receipts[:]
    rnd.shuffle(shuffled)
    assert _apply(receipts) == _apply(shuffled) == _apply(receipts + shuffled)


def test_a_carrier_opt_out_is_recorded_as_a_stop_word():
    assert OPT_OUT_SOURCE == OptOutSource.STOP_WORD == "Texted a STOP word"


def test_each_provider_is_registered_under_its_name():
    assert {"twilio": twilio, "telnyx": telnyx, "bandwidth": bandwidth} == PROVIDERS


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_as_seconds(headers, seconds):
    assert retry_after_seconds(headers) == seconds


def test_retry_after_as_an_http_date_becomes_the_seconds_until_then():
    now = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(minutes=2), usegmt=True)
    assert retry_after_seconds({"Retry-After": later}, now=now.timestamp()) == 120.0


def test_an_async_client_drives_the_same_builder_and_parser():
    async def two_sends(base_url: str, config: FakeConfig):
        creds = TwilioCredentials(
            config.twilio_account_sid, config.twilio_auth_token, base_url=base_url
        )
        msg = SendRequest(to="+14133881111", text="Hi", from_number="+12028831111")
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(
                send_async(client, twilio, msg, creds), send_async(client, twilio, msg, creds)
            )

    with serve() as fake:
        results = asyncio.run(two_sends(fake.base_url, fake.config))
    assert all(r.accepted for r in results)
    assert sorted(r.external_id for r in results) == sorted(fake.accepted["twilio"])


def test_the_fake_runs_as_its_own_process_and_reports_what_it_accepted():
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "tests.fakes.providers", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        base_url = line.rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        config = FakeConfig()
        creds = TwilioCredentials(
            config.twilio_account_sid, config.twilio_auth_token, base_url=base_url
        )
        msg = SendRequest(to="+14133881111", text="Hi", from_number="+12028831111")
        with httpx.Client() as client:
            result = twilio.build_send(msg, creds)
            answer = client.request(
                result.method, result.url, headers=result.headers, content=result.body
            )
            stats = client.get(f"{base_url}/_fake/stats").json()
        assert twilio.parse_send_response(
            answer.status_code, answer.headers, answer.content
        ).accepted
        assert stats == {
            "requests": 1,
            "throttled": 0,
            "throttle_episodes": 0,
            "accepted": {"twilio": 1, "telnyx": 0, "bandwidth": 0, "generic": 0},
            "max_in_flight": 1,
            "connections": 1,  # the stats request reused the send's connection
            "refs": 0,
            "duplicate_refs": 0,
        }
    finally:
        process.terminate()
        process.wait()
