"""Quiet hours: the sending window in the recipient's zone, its exemptions, and the
validity period handed to the provider."""

import datetime as dt
import json
import threading
import zoneinfo
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine

from messaging.delivery import messages_deliver_batch
from messaging.models import Message, MTType
from messaging.quiet_hours import (
    EXEMPT_TYPES,
    VALIDITY_MAX_SECONDS,
    is_held_type,
    number_zone,
    recipient_zone,
    recipient_zone_expression,
    validity_period,
    window_opens_at,
)
from messaging.services import message_send, messages_queue_due
from profiles.models import Profile
from tests.factories import make_campaign, make_profile

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LEGAL = (dt.time(8), dt.time(21))


@pytest.fixture(autouse=True)
def legal_window(settings):
    settings.SMS_SENDING_WINDOW_START = dt.time(8)
    settings.SMS_SENDING_WINDOW_END = dt.time(21)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=dt.UTC)


def test_the_profile_zone_beats_the_number_zone_which_beats_the_campaign_zone(company):
    # +1212 is New York, +1415 Los Angeles; Idaho's +1208 spans two zones, so it says none.
    own_zone = make_profile(company, "+12125550101", timezone="America/Chicago")
    by_number = make_profile(company, "+14155550102")
    neither = make_profile(company, "+12085550103")
    zones = dict(
        Profile.objects.filter(company=company)
        .annotate(zone=recipient_zone_expression(fallback="Pacific/Honolulu"))
        .values_list("pk", "zone")
    )
    assert zones == {
        own_zone.pk: "America/Chicago",
        by_number.pk: "America/Los_Angeles",
        neither.pk: "Pacific/Honolulu",
    }
    # The Python twin used for one message agrees with the SQL.
    for profile in (own_zone, by_number, neither):
        assert (
            recipient_zone(
                profile_zone=profile.timezone,
                phone_number=profile.phone_number,
                campaign_zone="Pacific/Honolulu",
            )
            == zones[profile.pk]
        )
    assert number_zone("+12085550103") == ""


def test_a_window_opens_at_eight_local_on_the_us_daylight_saving_change_days():
    # 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. 06:00 EDT is 10:00 UTC and
    # the window opens at 08:00 EDT = 12:00 UTC (a fixed -5 h offset would say 13:00).
    assert window_opens_at(utc(2026, 3, 8, 10), NEW_YORK, LEGAL) == utc(2026, 3, 8, 12)
    # Held the evening before (22:00 EST on the 7th) it still opens at 08:00 EDT.
    assert window_opens_at(utc(2026, 3, 8, 3), NEW_YORK, LEGAL) == utc(2026, 3, 8, 12)
    # 1 November 2026: back to EST; 08:00 EST is 13:00 UTC.
    assert window_opens_at(utc(2026, 11, 1, 11), NEW_YORK, LEGAL) == utc(2026, 11, 1, 13)
    # And the window closes at 21:00 EST = 02:00 UTC the next day.
    assert window_opens_at(utc(2026, 11, 2, 1, 59), NEW_YORK, LEGAL) == utc(2026, 11, 2, 1, 59)
    assert window_opens_at(utc(2026, 11, 2, 2), NEW_YORK, LEGAL) == utc(2026, 11, 2, 13)


def test_the_validity_period_is_the_seconds_left_in_the_window_clamped_to_the_provider_range():
    # 20:00 EDT: an hour left.
    assert validity_period(utc(2026, 6, 10, 0), NEW_YORK, LEGAL) == 3600
    # 08:00 EDT: thirteen hours left, more than Twilio's 36,000 s maximum.
    assert validity_period(utc(2026, 6, 10, 12), NEW_YORK, LEGAL) == VALIDITY_MAX_SECONDS
    # Half a second before the end: at least one second, never zero (the provider minimum).
    assert validity_period(utc(2026, 6, 11, 0, 59, 59, 500000), NEW_YORK, LEGAL) == 1


def test_chat_help_and_stop_receipts_go_out_at_23_local_while_a_broadcast_text_waits(
    company, fake_outbox, django_capture_on_commit_callbacks
):
    from campaigns.broadcasts import broadcast_create

    campaign = make_campaign(company, timezone="America/New_York")
    profile = make_profile(company, "+12125550110")
    broadcast = broadcast_create(campaign=campaign, body="Rally tomorrow")
    with (
        time_machine.travel(utc(2026, 6, 11, 3), tick=False),  # 23:00 in New York
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies = [
            message_send(company=company, profile=profile, body=body, message_type=kind)
            for kind, body in (
                (MTType.DIRECT_MESSAGE, "Yes, see you there"),
                (MTType.HELP_RESPONSE, "Acme: reply STOP to end"),
                (MTType.OPT_OUT_RECEIPT, "You are unsubscribed"),
            )
        ]
        late = message_send(company=company, profile=profile, body="Rally", broadcast=broadcast)
    for reply in replies:
        reply.refresh_from_db()
        assert reply.status == Message.Status.SENT
    assert {MTType.DIRECT_MESSAGE, MTType.HELP_RESPONSE, MTType.OPT_OUT_RECEIPT} <= EXEMPT_TYPES
    assert not is_held_type(MTType.HELP_RESPONSE, broadcast=True)
    late.refresh_from_db()
    assert late.status == Message.Status.INITIAL
    assert late.scheduled_at == utc(2026, 6, 11, 12)  # 08:00 EDT
    assert len(fake_outbox.sent_to("+12125550110")) == 3


def test_batch_delivery_holds_broadcast_messages_whose_window_closed_until_it_opens(
    company, fake_outbox, django_capture_on_commit_callbacks
):
    from campaigns.broadcasts import broadcast_create

    campaign = make_campaign(company, timezone="America/New_York")
    broadcast = broadcast_create(campaign=campaign, body="Rally")
    new_york = make_profile(company, "+12125550120")
    honolulu = make_profile(company, "+18085550121")
    for profile in (new_york, honolulu):
        message_send(
            company=company, profile=profile, body="Rally", broadcast=broadcast, enqueue=False
        )
    # 21:30 in New York, 15:30 in Honolulu.
    with time_machine.travel(utc(2026, 6, 11, 1, 30), tick=False):
        outcomes = messages_deliver_batch(messages=Message.objects.filter(broadcast=broadcast))
    assert outcomes["held"] == 1 and outcomes["sent"] == 1
    held = Message.objects.get(profile=new_york)
    assert held.status == Message.Status.INITIAL
    assert held.scheduled_at == utc(2026, 6, 11, 12)
    assert (
        fake_outbox.sent_to("+18085550121")[0]["validity_period"] == 19800
    )  # 15:30 → 21:00 in Honolulu
    with (
        time_machine.travel(utc(2026, 6, 11, 12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        messages_queue_due()
    held.refresh_from_db()
    assert held.status == Message.Status.SENT
    assert fake_outbox.sent_to("+12125550120")[0]["validity_period"] == VALIDITY_MAX_SECONDS


class _Aggregator(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        _Aggregator.received.append(json.loads(self.rfile.read(length)))
        body = b'{"id": "agg-1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_http_gateway_sends_the_validity_period(
    company, settings, django_capture_on_commit_callbacks
):
    from campaigns.broadcasts import broadcast_create

    server = HTTPServer(("127.0.0.1", 0), _Aggregator)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_GATEWAY = "messaging.gateways.HttpGateway"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/messages"
    _Aggregator.received.clear()
    try:
        campaign = make_campaign(company, timezone="America/New_York")
        broadcast = broadcast_create(campaign=campaign, body="Rally")
        profile = make_profile(company, "+12125550130")
        with (
            time_machine.travel(utc(2026, 6, 11, 0), tick=False),  # 20:00 EDT
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = message_send(
                company=company, profile=profile, body="Rally", broadcast=broadcast
            )
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert _Aggregator.received[0]["validity_period"] == 3600
        # A chat message carries none: the provider's default applies.
        with django_capture_on_commit_callbacks(execute=True):
            message_send(
                company=company, profile=profile, body="Hi", message_type=MTType.DIRECT_MESSAGE
            )
        assert "validity_period" not in _Aggregator.received[1]
    finally:
        server.shutdown()
        server.server_close()
