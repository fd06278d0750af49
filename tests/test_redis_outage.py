"""While Redis is away, pages, webhooks and the API keep answering; what was queued
meanwhile goes out when it is back.

The test runs a Redis of its own (the redis-server binary) on a free port, points the
broker, the cache and the API's slots at it, and first freezes it (SIGSTOP: connections
are accepted and never answered, the case that used to hang HTTP Basic calls), then
kills it (connections refused). Every request is made over HTTP by a client whose
timeout (CLIENT_TIMEOUT) fails the test: a bound on hanging, not a speed assertion.
Then Redis is started again, the sweeps run, and a real worker delivers the message
the API queued during the outage and classifies the STOP the webhook stored.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from urllib.parse import urlencode

import httpx
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.test import Client
from twilio.request_validator import RequestValidator

import api.concurrency as concurrency
import core.publish as publish
from accounts.services import api_token_issue
from campaigns.models import Subscription
from config.celery import app
from config.settings import base as base_settings
from messaging import tasks
from messaging.models import Message, MOType
from tests.api_client import basic
from tests.factories import make_campaign, make_profile, make_subscription
from tests.messaging.channel_builders import TWILIO_TOKEN, make_channel, twilio_inbound

CLIENT_TIMEOUT = 5.0  # seconds: a request that hangs past this fails the test
NUMBER = "+12028831111"
PHONE = "+12025550191"

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("this test needs the redis-server binary")  # never a skip
        self.binary = binary
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None  # set by start()

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own fixed arguments)
            [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    @property
    def _started(self) -> subprocess.Popen:
        assert self.process is not None, "start() the server first"
        return self.process

    def freeze(self) -> None:
        os.kill(self._started.pid, signal.SIGSTOP)

    def stop(self) -> None:
        os.kill(self._started.pid, signal.SIGCONT)
        self._started.terminate()
        self._started.wait(10)

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)


def _forget_broker_pools() -> None:
    """Drop the connection and producer pools, so the next publish connects to the
    broker now configured (kombu would keep handing out connections to the old one)."""
    producers = getattr(app.amqp, "_producer_pool", None)
    if producers is not None:
        producers.force_close_all()
    app.amqp._producer_pool = None
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None


@pytest.fixture
def own_redis(settings):
    server = OwnRedis()
    server.start()
    settings.REDIS_URL = server.url
    # The deployment's own cache configuration (timeouts, fallback), on this server.
    settings.CACHES = {"default": {**base_settings.CACHES["default"], "LOCATION": server.url}}
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.FallbackRedisCache"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=server.url, task_always_eager=False)
    _forget_broker_pools()
    try:
        yield server
    finally:
        server.close()
        app.conf.update(**saved)
        _forget_broker_pools()
        publish._publish_down_until = 0.0
        concurrency._redis_down_until = 0.0
        concurrency._client = None


def _signed_twilio(channel, base: str, fields: dict) -> tuple[str, str, dict]:
    url = f"{base}/messaging/channels/{channel.webhook_token}/inbound/"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, fields)
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return url, urlencode(fields), headers


def test_with_redis_away_everything_answers_and_the_queue_drains_when_it_returns(
    own_redis, live_server, settings, company, alice
):
    base = live_server.url
    channel = make_channel(company, "twilio", NUMBER)
    campaign = make_campaign(company, name="News", channel=channel)
    texter = make_profile(company, PHONE)
    subscription = make_subscription(texter, campaign)
    reader = make_profile(company, "+12025550192")
    make_subscription(reader, campaign)
    _, raw_token = api_token_issue(company=company, name="crm", user=alice, created_by=alice)
    signed_in = Client()
    signed_in.force_login(alice)
    session = {"sessionid": signed_in.cookies["sessionid"].value}
    basic_auth = basic(alice.email, "pw-alice")["HTTP_AUTHORIZATION"]

    def answers(http: httpx.Client, phase: str, sid: str) -> None:
        page = http.get(f"{base}/profiles/")
        assert page.status_code == 200, phase
        for auth in (basic_auth, f"Bearer {raw_token}"):
            api = http.get(
                f"{base}/api/profiles", params={"limit": 5}, headers={"Authorization": auth}
            )
            assert api.status_code == 200 and b'success="true"' in api.content, (phase, api.text)
        url, body, headers = _signed_twilio(
            channel, base, twilio_inbound(sid=sid, sender=PHONE, to=NUMBER, body="STOP")
        )
        webhook = http.post(url, content=body, headers=headers)
        assert webhook.status_code == 200 and webhook.text.endswith("<Response/>"), phase

    with httpx.Client(timeout=CLIENT_TIMEOUT, cookies=session) as http:
        answers(http, "Redis up", "SM" + "0" * 32)
        own_redis.freeze()  # accepts connections, answers nothing
        answers(http, "Redis frozen", "SM" + "1" * 32)
        sent = http.post(
            f"{base}/api/send_message",
            data={"campaign_id": campaign.pk, "phone_number": reader.phone_number, "body": "Hi"},
            headers={"Authorization": basic_auth},
        )
        assert sent.status_code == 200 and b'success="true"' in sent.content, sent.text
        own_redis.stop()  # connections refused
        answers(http, "Redis stopped", "SM" + "2" * 32)

    # The STOPs and the message wait in the database, not in a queue that vanished.
    held = Message.objects.get(direction="mt", profile=reader)
    assert held.status == Message.Status.INITIAL  # back for messages_queue_due
    assert Message.objects.filter(direction="mo", classification_pending=True).count() >= 2

    own_redis.start()  # an empty Redis: whatever was queued in the old one is gone
    publish._publish_down_until = 0.0
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=["priority", "bulk", "background"],
    ):
        # What celery-beat does every minute; the stall bound is lowered to now.
        settings.INBOUND_CLASSIFY_STALL_SECONDS = 0
        tasks.messages_queue_due.delay()
        tasks.messages_classify_stalled.delay()
        for _ in range(300):  # waiting for the worker: states, not times, are asserted
            held.refresh_from_db()
            pending = Message.objects.filter(direction="mo", classification_pending=True)
            if held.status == Message.Status.SENT and not pending.exists():
                break
            time.sleep(0.1)
    held.refresh_from_db()
    assert held.status == Message.Status.SENT
    assert not Message.objects.filter(direction="mo", classification_pending=True).exists()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.OPTED_OUT
    types = set(Message.objects.filter(direction="mo").values_list("message_type", flat=True))
    assert MOType.OPT_OUT in types
