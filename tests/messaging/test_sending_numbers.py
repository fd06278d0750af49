"""Which number a message leaves from, against the local fake providers: each company's
own channel (its account URL, its auth, its From, its status webhook), a campaign's
second number, the settings' number for a company with none, and a bucket per channel.
"""

from __future__ import annotations

import base64
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

from messaging import carriers, send_engine
from messaging.channels import channel_create
from messaging.delivery import messages_deliver_batch
from messaging.models import Channel, Message
from messaging.ratelimit import KEY_PREFIX, RateLimiter, redis_client
from messaging.services import message_send
from tests.factories import make_campaign, make_company, make_profile, make_subscription
from tests.fakes.providers import FakeConfig, serve

pytestmark = pytest.mark.django_db

PUBLIC = "https://sms.example.org"

# Each company's own account, per provider: the credentials an Admin types, and what
# the provider's API must see of them (path, Authorization header).
ACCOUNTS = {
    "twilio": [
        {"account_sid": "AC" + "a" * 32, "auth_token": "token-of-acme"},
        {"account_sid": "AC" + "b" * 32, "auth_token": "token-of-bravo"},
    ],
    "telnyx": [
        {"api_key": "KEYacme", "public_key": "cHVibGljLWFjbWU="},
        {"api_key": "KEYbravo", "public_key": "cHVibGljLWJyYXZv"},
    ],
    "bandwidth": [
        {
            "account_id": "5500001",
            "username": "acme-api",
            "password": "acme-pass",
            "application_id": "app-acme",
            "callback_username": "cb",
            "callback_password": "cb-acme",
        },
        {
            "account_id": "5500002",
            "username": "bravo-api",
            "password": "bravo-pass",
            "application_id": "app-bravo",
            "callback_username": "cb",
            "callback_password": "cb-bravo",
        },
    ],
}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _expected(provider: str, creds: dict[str, str]) -> tuple[str, str]:
    """(path, Authorization) the provider's API must see for these credentials."""
    if provider == "twilio":
        sid = creds["account_sid"]
        return f"/2010-04-01/Accounts/{sid}/Messages.json", _basic(sid, creds["auth_token"])
    if provider == "telnyx":
        return "/v2/messages", f"Bearer {creds['api_key']}"
    return (
        f"/api/v2/users/{creds['account_id']}/messages",
        _basic(creds["username"], creds["password"]),
    )


def _fields(provider: str, seen) -> dict[str, str]:
    """From, To, Body and the status callback of a request, in our terms."""
    if provider == "twilio":
        form = {k: v[0] for k, v in seen.form().items()}
        return {
            "from": form.get("From", ""),
            "to": form["To"],
            "body": form["Body"],
            "callback": form.get("StatusCallback", ""),
        }
    document = seen.json()
    if provider == "telnyx":
        return {
            "from": document.get("from", ""),
            "to": document["to"],
            "body": document["text"],
            "callback": document.get("webhook_url", ""),
        }
    # Bandwidth takes callbacks from the application, not per message: the tag names it.
    return {
        "from": document["from"],
        "to": document["to"][0],
        "body": document["text"],
        "callback": f"tag={document.get('tag')}",
    }


@contextmanager
def carriers_on_fake(settings, **config):
    """The carrier gateway, every provider pointed at the local fake, which knows every
    account of ACCOUNTS. The settings' own number is a Twilio account of its own."""
    fake_config = FakeConfig(
        twilio_accounts={a["account_sid"]: a["auth_token"] for a in ACCOUNTS["twilio"]},
        telnyx_api_keys=tuple(a["api_key"] for a in ACCOUNTS["telnyx"]),
        bandwidth_accounts={
            a["account_id"]: (a["username"], a["password"]) for a in ACCOUNTS["bandwidth"]
        },
        **config,
    )
    with serve(fake_config) as fake:
        carriers.engine_close()
        settings.SMS_GATEWAY = "messaging.carriers.CarrierGateway"
        settings.SMS_PROVIDER = "twilio"
        settings.SMS_PROVIDER_BASE_URL = fake.base_url
        settings.PUBLIC_BASE_URL = PUBLIC
        settings.SMS_STATUS_CALLBACK_URL = f"{PUBLIC}/messaging/receipts/"
        settings.SMS_NUMBER_MPS = 1_000_000
        settings.TWILIO_ACCOUNT_SID = fake_config.twilio_account_sid
        settings.TWILIO_AUTH_TOKEN = fake_config.twilio_auth_token
        settings.SMS_DEFAULT_ORIGINATOR = "+12028830000"
        try:
            yield fake
        finally:
            carriers.engine_close()


def _channel(company, provider: str, number: str, creds: dict[str, str], mps: int = 10_000):
    return channel_create(
        company=company,
        kind=Channel.Kind.TOLL_FREE,
        number=number,
        provider=provider,
        credentials=creds,
        mps=mps,
    )


def _queue(company, campaign, count: int, *, first: int, body: str) -> list[Message]:
    messages = []
    for i in range(count):
        profile = make_profile(company, f"+1202555{first + i:04d}")
        make_subscription(profile, campaign)
        messages.append(
            message_send(
                company=company, profile=profile, body=body, campaign=campaign, enqueue=False
            )
        )
    return messages


def _status_url(channel: Channel) -> str:
    return f"{PUBLIC}/messaging/channels/{channel.webhook_token}/status/"


@pytest.mark.parametrize("provider", ["twilio", "telnyx", "bandwidth"])
def test_each_company_sends_from_its_own_number_with_its_own_account(settings, provider):
    acme, bravo = make_company("Acme Action"), make_company("Bravo Tenants")
    numbers = {acme.pk: "+18445550101", bravo.pk: "+18445550202"}
    creds = {acme.pk: ACCOUNTS[provider][0], bravo.pk: ACCOUNTS[provider][1]}
    channels = {c.pk: _channel(c, provider, numbers[c.pk], creds[c.pk]) for c in (acme, bravo)}
    with carriers_on_fake(settings) as fake:
        messages = {
            acme.pk: _queue(acme, make_campaign(acme), 3, first=100, body="Acme: rally"),
            bravo.pk: _queue(bravo, make_campaign(bravo), 3, first=200, body="Bravo: vote"),
        }
        everything = [m.pk for batch in messages.values() for m in batch]
        # One batch holding both companies' messages: each still leaves from its own.
        outcomes = messages_deliver_batch(messages=Message.objects.filter(pk__in=everything))
        assert outcomes["sent"] == 6
        seen = {_fields(provider, r)["to"]: r for r in fake.requests}
    for company_id, batch in messages.items():
        path, auth = _expected(provider, creds[company_id])
        channel = channels[company_id]
        for message in batch:
            request = seen[message.phone_number]
            assert request.path.split("?")[0] == path
            assert request.headers["Authorization"] == auth
            got = _fields(provider, request)
            assert (got["from"], got["body"]) == (numbers[company_id], message.body)
            if provider == "bandwidth":
                assert got["callback"] == f"tag={message.pk}"
            else:
                assert got["callback"] == f"{_status_url(channel)}?ref={message.pk}"
    stored = Message.objects.filter(pk__in=everything)
    assert set(stored.values_list("status", flat=True)) == {Message.Status.SENT}
    assert len(fake.accepted[provider]) == 6 and not fake.accepted["generic"]


def test_a_campaign_bound_to_a_second_number_sends_from_it(settings):
    company = make_company("Acme Action")
    first = _channel(company, "twilio", "+18445550101", ACCOUNTS["twilio"][0])
    second = _channel(company, "twilio", "+18445550102", ACCOUNTS["twilio"][0])
    bound = make_campaign(company, name="Tenants", channel=second)
    unbound = make_campaign(company, name="Alerts")
    with carriers_on_fake(settings) as fake:
        from_second = _queue(company, bound, 2, first=100, body="From the second")
        from_first = _queue(company, unbound, 2, first=200, body="From the first")
        ids = [m.pk for m in from_second + from_first]
        messages_deliver_batch(messages=Message.objects.filter(pk__in=ids))
        sent = {_fields("twilio", r)["to"]: _fields("twilio", r) for r in fake.requests}
    for message in from_second:
        assert sent[message.phone_number]["from"] == second.number
        assert sent[message.phone_number]["callback"].startswith(_status_url(second))
    # No campaign number: the company's oldest active one.
    for message in from_first:
        assert sent[message.phone_number]["from"] == first.number
        assert sent[message.phone_number]["callback"].startswith(_status_url(first))


def test_a_company_without_a_number_sends_from_the_settings_number(settings):
    company = make_company("Acme Action")
    other = make_company("Bravo Tenants")
    _channel(other, "twilio", "+18445550202", ACCOUNTS["twilio"][1])
    with carriers_on_fake(settings) as fake:
        (message,) = _queue(company, make_campaign(company), 1, first=100, body="Hello")
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
        (request,) = fake.requests
    path, auth = _expected(
        "twilio", {"account_sid": settings.TWILIO_ACCOUNT_SID, "auth_token": "twilio-token"}
    )
    assert (request.path, request.headers["Authorization"]) == (path, auth)
    got = _fields("twilio", request)
    assert got["from"] == "+12028830000"  # SMS_DEFAULT_ORIGINATOR, never another company's
    assert got["callback"] == f"{PUBLIC}/messaging/receipts/?ref={message.pk}"


def test_a_deactivated_number_no_longer_sends(settings):
    company = make_company("Acme Action")
    retired = _channel(company, "twilio", "+18445550101", ACCOUNTS["twilio"][0])
    current = _channel(company, "twilio", "+18445550102", ACCOUNTS["twilio"][1])
    Channel.objects.filter(pk=retired.pk).update(active=False)
    campaign = make_campaign(company, channel=retired)
    with carriers_on_fake(settings) as fake:
        (message,) = _queue(company, campaign, 1, first=100, body="Hello")
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
        (request,) = fake.requests
    assert _fields("twilio", request)["from"] == current.number
    assert ACCOUNTS["twilio"][1]["account_sid"] in request.path


def test_a_number_whose_credentials_no_key_reads_sends_nothing_and_says_why(settings):
    company = make_company("Acme Action")
    channel = _channel(company, "twilio", "+18445550101", ACCOUNTS["twilio"][0])
    settings.CHANNEL_CREDENTIALS_KEYS = [
        Fernet.generate_key().decode()
    ]  # not the key it was saved with
    with carriers_on_fake(settings) as fake:
        (message,) = _queue(company, make_campaign(company, channel=channel), 1, first=1, body="x")
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
        assert fake.requests == []
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "cannot be decrypted" in message.status_reason


@pytest.fixture
def frozen_limiter(requires_redis, monkeypatch):
    """The real Redis buckets with time held still: each bucket grants its burst once."""
    client = redis_client(requires_redis)
    limiter = RateLimiter(client, clock=lambda: 1_000_000.0)
    monkeypatch.setattr(send_engine, "get_limiter", lambda: limiter)
    taken: list[tuple[str, float]] = []
    take = limiter.take

    def recording_take(key, *, mps, wanted, now=None):
        taken.append((key, mps))
        return take(key, mps=mps, wanted=wanted, now=now)

    monkeypatch.setattr(limiter, "take", recording_take)
    yield limiter, taken, client
    for key in client.scan_iter(KEY_PREFIX + "channel:*"):
        client.delete(key)


def test_the_rate_limit_is_per_channel(
    settings, frozen_limiter, django_capture_on_commit_callbacks
):
    limiter, taken, client = frozen_limiter
    acme, bravo = make_company("Acme Action"), make_company("Bravo Tenants")
    # 50 messages a second: a bucket of one token; time stands still, so each number
    # gets exactly one send, whatever the other number did.
    a = _channel(acme, "twilio", "+18445550101", ACCOUNTS["twilio"][0], mps=50)
    b = _channel(bravo, "twilio", "+18445550202", ACCOUNTS["twilio"][1], mps=50)
    for channel in (a, b):
        client.delete(f"{KEY_PREFIX}channel:{channel.pk}")
    settings.SMS_THROTTLE_WAIT_SECONDS = 0
    settings.SMS_IN_FLIGHT_TIMEOUT_SECONDS = 1  # hand back what did not start in 1/3 s
    with carriers_on_fake(settings) as fake:
        ids = [
            m.pk
            for first, company in ((100, acme), (200, bravo))
            for m in _queue(company, make_campaign(company), 3, first=first, body="Paced")
        ]
        with django_capture_on_commit_callbacks():
            outcomes = messages_deliver_batch(messages=Message.objects.filter(pk__in=ids))
        by_account = [urlsplit(r.path).path.split("/")[3] for r in fake.requests]
    assert (outcomes["sent"], outcomes["retry"]) == (2, 4)
    assert sorted(by_account) == sorted(
        [ACCOUNTS["twilio"][0]["account_sid"], ACCOUNTS["twilio"][1]["account_sid"]]
    )
    assert {key for key, _ in taken} == {f"channel:{a.pk}", f"channel:{b.pk}"}
    assert {mps for _, mps in taken} == {50}
    waiting = Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED)
    assert set(waiting.values_list("attempts", "sending_started_at")) == {(0, None)}


def test_a_generic_number_sends_from_itself_through_the_settings_account(settings):
    """A legacy short code (a generic channel, messaging.0007) keeps its own number and
    pace; having no provider credentials, it sends with the settings' account."""
    company = make_company("Acme Action")
    short_code = _channel_generic(company, "22822")
    with carriers_on_fake(settings) as fake:
        (message,) = _queue(company, make_campaign(company), 1, first=100, body="Hello")
        messages_deliver_batch(messages=Message.objects.filter(pk=message.pk))
        (request,) = fake.requests
    assert settings.TWILIO_ACCOUNT_SID in request.path
    assert _fields("twilio", request)["from"] == short_code.number
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def _channel_generic(company, number: str) -> Channel:
    return channel_create(
        company=company,
        kind=Channel.Kind.SHORT_CODE,
        number=number,
        provider="generic",
        credentials={},
        mps=100,
    )
