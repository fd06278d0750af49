"""Twilio's webhooks on the lean WSGI path (messaging/webhook_fastpath.py, wrapped
around Django in config/wsgi.py): the view's answers, byte for byte, with the same
rows stored; every request it cannot answer exactly is still Django's."""

import copy
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from twilio.request_validator import RequestValidator

from campaigns.models import Subscription
from campaigns.services_campaigns import keyword_create
from config.wsgi import application
from messaging import webhook_fastpath
from messaging.channels import channel_deactivate
from messaging.models import Message, MOType, MTType
from messaging.webhook_fastpath import InboundWebhooks
from profiles.models import OptOutSource, Profile
from tests.factories import make_campaign, make_opt_in_path, next_phone
from tests.messaging.channel_builders import (
    TWILIO_TOKEN,
    make_channel,
    telnyx_post,
    twilio_inbound,
    twilio_status,
    url_of,
)
from tests.messaging.test_channel_webhooks import _sent_message
from tests.messaging.test_provider_telnyx import RECEIVED
from tests.wsgi_calls import wsgi_call

NUMBER = "+12028831111"


@pytest.fixture(autouse=True)
def _forget_numbers():
    webhook_fastpath.channels_forget()
    yield
    webhook_fastpath.channels_forget()


@pytest.fixture
def twilio_number(company):
    return make_channel(company, "twilio", NUMBER)


@pytest.fixture
def rent(company, twilio_number):
    campaign = make_campaign(company, name="Renters United", channel=twilio_number)
    path = make_opt_in_path(campaign, name="Keyword RENT")
    path.welcome_message = "Welcome to Renters United! Reply STOP to opt out."
    path.save()
    keyword_create(opt_in_path=path, name="RENT")
    return campaign


seen_by_django: list[tuple[str, bytes]] = []  # what reached the stand-in for Django


def _django_only(environ, start_response):
    """Stands for Django behind the lean path: records what reached it."""
    seen_by_django.append((environ["PATH_INFO"], environ["wsgi.input"].read()))
    start_response("599 Django", [("Content-Type", "text/plain")])
    return [b"django"]


@pytest.fixture
def lean_only():
    """The lean path in front of a stand-in for Django: a 599 means Django answered."""
    seen_by_django.clear()
    return InboundWebhooks(_django_only)


def _signed(channel, path, fields, *, token=TWILIO_TOKEN, signature=None):
    url = url_of(channel, path)
    body = urlencode(fields).encode()
    if signature is None:
        signature = RequestValidator(token).compute_signature("http://testserver" + url, fields)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return url, body, headers


def call(url, body=b"", *, app=application, method="POST", **extra):
    """The WSGI application as gunicorn calls it: (status code, headers, body)."""
    status, headers, content = wsgi_call(
        app,
        url,
        method=method,
        body=body,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        **extra,
    )
    return status, {name.lower(): value for name, value in headers}, content


def through_django(url, body, headers):
    """The same request through Django's whole stack (the view, every middleware)."""
    response = Client().generic(
        "POST", url, body, content_type="application/x-www-form-urlencoded", **headers
    )
    return (
        response.status_code,
        {name.lower(): value for name, value in response.headers.items()},
        response.content,
    )


def _inbound(channel, body, *, sid, sender, **extra):
    fields = twilio_inbound(sid=sid, sender=sender, to=channel.number, body=body, **extra)
    return _signed(channel, "inbound", fields)


def test_the_paths_are_the_views_urls(twilio_number):
    for path in ("inbound", "status"):
        match = webhook_fastpath._PATH.match(url_of(twilio_number, path))
        assert match is not None
        assert match.groups() == (str(twilio_number.webhook_token), path)
    assert url_of(twilio_number, "inbound") == reverse(
        "messaging:channel_inbound", args=[str(twilio_number.webhook_token)]
    )


def test_a_text_is_answered_by_the_lean_path_exactly_as_by_the_view(twilio_number, rent, lean_only):
    phone = next_phone()
    url, body, headers = _inbound(twilio_number, "RENT", sid="SM" + "1" * 32, sender=phone)
    status, lean_headers, content = call(url, body, app=lean_only, **headers)
    assert seen_by_django == []  # answered without Django
    assert status == 200
    assert content == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert lean_headers["content-type"] == "text/xml"
    assert lean_headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in lean_headers
    # Stored and classified as the view does it (tasks run in-process here).
    profile = Profile.objects.get(phone_number=phone)
    assert Subscription.objects.get(profile=profile).campaign == rent
    mo = Message.objects.get(direction="mo")
    assert (mo.message_type, mo.gateway) == (MOType.OPT_IN, "twilio")
    assert Message.objects.get(direction="mt").originator == NUMBER
    # Another text through Django's whole stack: the same status, headers and bytes.
    other = _inbound(twilio_number, "Thanks", sid="SM" + "2" * 32, sender=next_phone())
    assert through_django(*other) == (status, lean_headers, content)
    # And the production application answers it on the lean path too.
    third = _inbound(twilio_number, "Thanks", sid="SM" + "3" * 32, sender=next_phone())
    assert call(third[0], third[1], **third[2]) == (status, lean_headers, content)
    assert Message.objects.filter(direction="mo").count() == 3


def test_a_remembered_number_costs_one_insert_and_no_transaction(twilio_number, lean_only):
    first = _inbound(twilio_number, "hello", sid="SM" + "4" * 32, sender=next_phone())
    call(first[0], first[1], app=lean_only, **first[2])
    second = _inbound(twilio_number, "hello", sid="SM" + "5" * 32, sender=next_phone())
    with CaptureQueriesContext(connection) as context:
        assert call(second[0], second[1], app=lean_only, **second[2])[0] == 200
    # Classification runs in-process in tests: only the webhook's own statements count.
    webhook = [q["sql"] for q in context.captured_queries]
    insert = next(i for i, sql in enumerate(webhook) if sql.startswith("INSERT"))
    # No SAVEPOINT (an atomic block inside the test's transaction) and no SELECT of
    # the number before the INSERT: autocommit, the number from memory.
    assert [sql.split()[0] for sql in webhook[: insert + 1]] == ["INSERT"]


def test_a_stop_twilio_answered_opts_out_with_no_receipt_of_ours(
    company, twilio_number, rent, lean_only
):
    phone = next_phone()
    keyword = _inbound(twilio_number, "RENT", sid="SM" + "6" * 32, sender=phone)
    stop = _inbound(twilio_number, "stop", sid="SM" + "7" * 32, sender=phone, OptOutType="STOP")
    for url, body, headers in (keyword, stop):
        assert call(url, body, app=lean_only, **headers)[0] == 200
    assert seen_by_django == []
    stop = Message.objects.get(gateway_message_id="SM" + "7" * 32)
    assert (stop.provider_opt_out, stop.message_type) == ("STOP", MOType.OPT_OUT)
    assert not stop.classification_pending
    subscription = Subscription.objects.get(profile__phone_number=phone)
    assert subscription.status == Subscription.Status.OPTED_OUT
    assert subscription.opt_out_source == OptOutSource.STOP_WORD
    assert not Message.objects.filter(message_type=MTType.OPT_OUT_RECEIPT).exists()


def test_a_replayed_text_is_stored_once_and_answered_the_same(twilio_number, rent, lean_only):
    url, body, headers = _inbound(twilio_number, "RENT", sid="SM" + "8" * 32, sender=next_phone())
    answers = [call(url, body, app=lean_only, **headers) for _ in range(3)]
    assert answers[0][0] == 200 and answers == [answers[0]] * 3
    assert seen_by_django == []
    assert Message.objects.filter(direction="mo").count() == 1
    assert Message.objects.filter(direction="mt").count() == 1  # one welcome


@pytest.mark.parametrize(
    ("token", "signature"),
    [
        pytest.param(TWILIO_TOKEN, "", id="missing signature"),
        pytest.param("another-accounts-token", None, id="wrong auth token"),
    ],
)
def test_a_bad_or_missing_signature_goes_to_djangos_refusal_and_stores_nothing(
    twilio_number, lean_only, token, signature
):
    fields = twilio_inbound(sid="SM" + "9" * 32, sender=next_phone(), to=NUMBER, body="STOP")
    url, body, headers = _signed(twilio_number, "inbound", fields, token=token, signature=signature)
    assert call(url, body, app=lean_only, **headers)[0] == 599
    assert seen_by_django == [(url, body)]  # Django read the request as it came
    status, _, content = call(url, body, **headers)
    assert (status, content) == through_django(url, body, headers)[::2]
    assert status == 403
    assert not Message.objects.exists()


def test_unknown_and_deactivated_numbers_get_djangos_404(twilio_number, lean_only, monkeypatch):
    fields = twilio_inbound(sid="SM" + "a" * 32, sender=next_phone(), to=NUMBER, body="hi")
    url, body, headers = _signed(twilio_number, "inbound", fields)
    unknown = url.replace(str(twilio_number.webhook_token), "0" * 8 + "-0000-4000-8000-" + "0" * 12)
    assert call(unknown, body, app=lean_only, **headers)[0] == 599
    assert call(unknown, body, **headers)[0] == 404
    assert call(url, body, app=lean_only, **headers)[0] == 200  # now remembered
    channel_deactivate(channel=twilio_number)
    # Within CHANNEL_MEMORY_SECONDS another process may still take a text; after it,
    # the number is read again and refused by Django.
    later = webhook_fastpath.time.monotonic() + webhook_fastpath.CHANNEL_MEMORY_SECONDS + 1
    monkeypatch.setattr(webhook_fastpath.time, "monotonic", lambda: later)
    fields = twilio_inbound(sid="SM" + "b" * 32, sender=next_phone(), to=NUMBER, body="hi")
    url, body, headers = _signed(twilio_number, "inbound", fields)
    assert call(url, body, app=lean_only, **headers)[0] == 599
    assert call(url, body, **headers)[0] == 404
    assert not Message.objects.filter(gateway_message_id="SM" + "b" * 32).exists()


def test_refusals_of_the_view_stay_the_views(twilio_number, lean_only):
    phone = next_phone()
    for fields, expected in (
        (twilio_inbound(sid="SM" + "c" * 32, sender=phone, to="+12025550999", body="x"), 422),
        (twilio_inbound(sid="SM" + "d" * 32, sender=phone, to=NUMBER, body="a\x00b"), 400),
        ({"From": phone, "To": NUMBER, "Body": "no sid"}, 400),
    ):
        url, body, headers = _signed(twilio_number, "inbound", fields)
        assert call(url, body, app=lean_only, **headers)[0] == 599
        assert call(url, body, **headers)[0] == expected
    assert not Message.objects.exists()


def test_a_status_callback_is_applied_and_answered_like_the_view(company, twilio_number, lean_only):
    message = _sent_message(company, "SM" + "e" * 32)
    fields = twilio_status(
        sid=message.gateway_message_id, status="delivered", to=message.phone_number
    )
    url, body, headers = _signed(twilio_number, "status", fields)
    answer = call(url, body, app=lean_only, **headers)
    assert answer[0] == 200 and seen_by_django == []
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert through_django(url, body, headers) == answer


def test_other_requests_still_reach_django(company, twilio_number, lean_only):
    url = url_of(twilio_number, "inbound")
    # Another method, a query string, another provider's number: Django's.
    assert call(url, app=lean_only, method="GET")[0] == 599
    assert call(url, method="GET")[0] == 405
    fields = twilio_inbound(sid="SM" + "f" * 32, sender=next_phone(), to=NUMBER, body="hi")
    _, body, headers = _signed(twilio_number, "inbound", fields)
    assert call(url, body, app=lean_only, QUERY_STRING="a=1", **headers)[0] == 599
    telnyx = make_channel(company, "telnyx", "+18445550001", kind="toll_free")
    assert call(url_of(telnyx, "inbound"), b"{}", app=lean_only)[0] == 599
    # A host outside ALLOWED_HOSTS: Django's 400.
    assert call(url, body, app=lean_only, HTTP_HOST="evil.example", **headers)[0] == 599
    # Pages and the link redirects behind it are untouched.
    assert call("/accounts/login/", method="GET")[0] == 200
    assert call("/profiles/", method="GET")[0] == 302
    assert not Message.objects.exists()
    # The Telnyx number's own texts are still stored by the view.
    assert telnyx_post(Client(), telnyx, "inbound", copy.deepcopy(RECEIVED)).status_code == 200


def test_a_receipt_for_another_companys_message_changes_nothing(
    other_company, twilio_number, lean_only
):
    theirs = _sent_message(other_company, "SM" + "f" * 32)
    fields = twilio_status(
        sid=theirs.gateway_message_id,
        status="undelivered",
        to=theirs.phone_number,
        error_code="21610",
    )
    url, body, headers = _signed(twilio_number, "status", fields)
    answer = call(url, body, app=lean_only, **headers)
    assert answer[0] == 200 and seen_by_django == []  # answered, as a provider expects
    theirs.refresh_from_db()
    assert theirs.status == Message.Status.SENT
    assert theirs.delivered_at is None and theirs.error_code == ""


def test_a_text_signed_for_another_companys_number_is_refused_at_ours(
    other_company, twilio_number, lean_only
):
    theirs = make_channel(other_company, "twilio", "+12028832222")
    fields = twilio_inbound(sid="SM" + "7" * 32, sender=next_phone(), to=theirs.number, body="STOP")
    their_url, body, headers = _signed(theirs, "inbound", fields)
    ours = url_of(twilio_number, "inbound")
    # Their signature covers their URL: at ours it is refused, by Django, and nothing is
    # stored for either company.
    assert call(ours, body, app=lean_only, **headers)[0] == 599
    assert call(ours, body, **headers)[0] == 403
    assert not Message.objects.exists()
    assert call(their_url, body, **headers)[0] == 200  # where it was signed for, it is taken
    assert set(Message.objects.values_list("company_id", flat=True)) == {other_company.pk}
