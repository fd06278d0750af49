"""The inbound and receipt webhooks as an aggregator (or an attacker) calls them.

Acme Action's number is 22822 and Other Org's 73223 (conftest).
"""

import json
import logging
import time

import pytest
from django.urls import reverse

from messaging.models import Message, MOType
from messaging.webhooks import (
    SIGNATURE_HEADER,
    TEXT_MAX_LENGTH,
    TIMESTAMP_HEADER,
    webhook_headers,
    webhook_signature,
)
from profiles.models import Profile
from tests.factories import make_campaign, make_opt_in_path, make_profile

pytestmark = pytest.mark.django_db

PHONE = "+12025550177"
INBOUND = "messaging:inbound"
RECEIPTS = "messaging:receipts"


def _text(**fields):
    return {"id": "SM0001", "from": PHONE, "to": "22822", "body": "hello", **fields}


def _post_bytes(client, name, body: bytes, headers=None):
    headers = webhook_headers(body) if headers is None else headers
    return client.post(reverse(name), body, content_type="application/json", headers=headers)


def _post(client, name, payload, **header_options):
    body = json.dumps(payload).encode()
    return _post_bytes(client, name, body, webhook_headers(body, **header_options))


def _nothing_stored():
    return not Message.objects.exists() and not Profile.objects.exists()


# --- message ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"id": None}, {"id": ""}, {"id": "   "}, {"id": 12345}],
    ids=["null", "empty", "blank", "a number"],
)
def test_an_inbound_body_without_an_id_is_refused(client, company, fields):
    payload = _text(**fields)
    response = _post(client, INBOUND, payload)
    assert response.status_code == 400
    assert "id" in response.json()["error"]
    assert _nothing_stored()


def test_an_inbound_body_missing_the_id_key_is_refused(client, company):
    payload = _text()
    del payload["id"]
    response = _post(client, INBOUND, payload)
    assert response.status_code == 400
    assert response.json() == {"error": "id is required"}
    assert _nothing_stored()


def test_an_id_longer_than_the_column_is_refused_and_nothing_is_stored(client, company):
    response = _post(client, INBOUND, _text(id="X" * 101))
    assert response.status_code == 400
    assert response.json() == {"error": "id is longer than 100 characters"}
    assert _nothing_stored()


def test_an_id_as_long_as_the_column_is_stored_whole(client, company):
    assert _post(client, INBOUND, _text(id="X" * 100)).status_code == 200
    assert Message.objects.get().gateway_message_id == "X" * 100


def test_the_same_id_sent_twice_is_stored_once_and_acknowledged(client, company):
    first = _post(client, INBOUND, _text(body="HELP"))
    again = _post(client, INBOUND, _text(body="HELP"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {**first.json(), "redelivered": True}
    assert first.json()["redelivered"] is False
    message = Message.objects.get(direction="mo")
    assert (message.gateway, message.gateway_message_id) == ("generic", "SM0001")
    assert message.message_type == MOType.UNKNOWN_HELP_REQUEST
    assert Message.objects.filter(direction="mt").count() == 1  # one help response


def test_the_same_id_for_two_companies_is_stored_for_both(client, company, other_company):
    assert _post(client, INBOUND, _text(to="22822")).status_code == 200
    assert _post(client, INBOUND, _text(to="73223")).status_code == 200
    stored = Message.objects.filter(direction="mo", gateway_message_id="SM0001")
    assert sorted(stored.values_list("company__name", flat=True)) == ["Acme Action", "Other Org"]


# --- signatures and timestamps -------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds_off", "status"),
    [(-299, 200), (-301, 403), (-86_400, 403), (299, 200), (301, 403)],
)
def test_a_request_signed_more_than_five_minutes_away_is_refused(
    client, company, seconds_off, status
):
    response = _post(client, INBOUND, _text(), timestamp=int(time.time()) + seconds_off)
    assert response.status_code == status
    if status == 403:
        assert "more than 5 minutes" in response.json()["error"]
        assert _nothing_stored()


def test_a_stale_request_is_refused_even_with_a_valid_signature_for_its_timestamp(client, company):
    """A captured request replayed an hour later: signed correctly, but old."""
    body = json.dumps(_text()).encode()
    captured = webhook_headers(body, timestamp=int(time.time()) - 3600)
    response = _post_bytes(client, INBOUND, body, captured)
    assert response.status_code == 403
    assert response.json() == {"error": "the request's timestamp is more than 5 minutes old"}


def test_the_timestamp_is_part_of_what_is_signed(client, company):
    body = json.dumps(_text()).encode()
    headers = webhook_headers(body, timestamp=int(time.time()) - 3600)
    headers[TIMESTAMP_HEADER] = str(int(time.time()))  # freshened, signature left as it was
    response = _post_bytes(client, INBOUND, body, headers)
    assert response.status_code == 403
    assert response.json() == {"error": "invalid signature"}
    assert _nothing_stored()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TIMESTAMP_HEADER: "1"},
        {SIGNATURE_HEADER: "sha256=00"},
        {SIGNATURE_HEADER: "sha256=00", TIMESTAMP_HEADER: "yesterday"},
    ],
    ids=["nothing", "timestamp only", "signature only", "malformed timestamp"],
)
@pytest.mark.parametrize("name", [INBOUND, RECEIPTS])
def test_an_unsigned_request_is_refused(client, company, name, headers):
    body = json.dumps(_text(status="delivered")).encode()
    response = _post_bytes(client, name, body, headers)
    assert response.status_code == 403
    assert response.json()["error"]
    assert _nothing_stored()


def test_the_bare_hex_signature_is_accepted(client, company):
    body = json.dumps(_text()).encode()
    moment = int(time.time())
    bare = webhook_signature(body, moment).removeprefix("sha256=")
    headers = {TIMESTAMP_HEADER: str(moment), SIGNATURE_HEADER: bare}
    assert _post_bytes(client, INBOUND, body, headers).status_code == 200


# --- size and shape ------------------------------------------------------------------


def test_a_two_megabyte_body_is_refused(client, company):
    response = _post(client, INBOUND, _text(body="x" * 2_000_000))
    assert response.status_code == 413
    assert response.json() == {"error": "the body is larger than 16384 bytes"}
    assert _nothing_stored()


def test_a_body_over_the_cap_is_refused_even_without_a_declared_length(rf, company):
    from messaging.views import inbound

    body = json.dumps(_text(body="x" * 20_000)).encode()
    request = rf.post(
        "/messaging/inbound/", body, content_type="application/json", headers=webhook_headers(body)
    )
    del request.META["CONTENT_LENGTH"]
    response = inbound(request)
    assert response.status_code == 413
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "the body is not JSON"),
        (b"not json", "the body is not JSON"),
        (b'{"id": "SM1", ', "the body is not JSON"),
        (b"\xff\xfe\x00garbage", "the body is not JSON"),
        (b"[1, 2]", "the body must be a JSON object"),
        (b'"a string"', "the body must be a JSON object"),
        (b"null", "the body must be a JSON object"),
        (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "the body is nested too deeply"),
    ],
    ids=["empty", "text", "truncated", "bad utf-8", "array", "string", "null", "nested"],
)
def test_a_malformed_body_gets_400_with_a_clear_error(client, company, body, error):
    response = _post_bytes(client, INBOUND, body)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"body": {"text": "hi"}}, "body must be a string"),
        ({"body": ["hi"]}, "body must be a string"),
        ({"body": 42}, "body must be a string"),
        ({"from": 12025550177}, "from must be a string"),
        ({"to": 22822}, "to must be a string"),
        ({"from": ""}, "from is required"),
        ({"media_url": True}, "media_url must be a string"),
        ({"body": "x" * (TEXT_MAX_LENGTH + 1)}, "body is longer than 1600 characters"),
        ({"from": "1" * 41}, "from is longer than 40 characters"),
    ],
)
def test_a_field_of_the_wrong_type_or_length_gets_400(client, company, fields, error):
    response = _post(client, INBOUND, _text(**fields))
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert _nothing_stored()


def test_a_text_as_long_as_the_cap_is_stored_whole(client, company):
    text = "é" * TEXT_MAX_LENGTH  # sent as \\u00e9 escapes: the largest body a text makes
    assert _post(client, INBOUND, _text(body=text)).status_code == 200
    assert Message.objects.get(direction="mo").body == text


# --- routing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"to": ""}, 400, "to is required"),
        ({"to": None}, 400, "to is required"),
        ({"to": "99999"}, 422, "'99999' is not the number of any company"),
        ({"to": "+12025550100"}, 422, "'+12025550100' is not the number of any company"),
        ({"to": "RENT-LINE"}, 422, "'RENT-LINE' is not a short code or a phone number"),
    ],
    ids=["empty", "null", "unknown short code", "unknown long code", "not a number"],
)
def test_an_empty_or_unknown_to_is_refused_logged_and_nothing_happens(
    client, company, other_company, fake_outbox, caplog, fields, status, error
):
    """The old guess filed such a text under the company whose keyword it matched."""
    for owner in (company, other_company):
        make_opt_in_path(make_campaign(owner, "Rentals"), keyword="RENT")
    make_profile(other_company, PHONE)
    with caplog.at_level(logging.WARNING, logger="messaging.views"):
        response = _post(client, INBOUND, _text(body="RENT", **fields))
    assert response.status_code == status
    assert response.json() == {"error": error}
    assert error in caplog.text
    assert not Message.objects.exists()
    assert list(Profile.objects.values_list("company__name", flat=True)) == ["Other Org"]
    assert not fake_outbox.outbox


def test_a_company_2_keyword_texted_to_company_2s_number_goes_to_company_2(
    client, company, other_company
):
    for owner, welcome in ((company, "Acme rentals!"), (other_company, "Other Org rentals!")):
        path = make_opt_in_path(make_campaign(owner, "Rentals"), keyword="RENT")
        path.welcome_message = welcome
        path.save()
    response = _post(client, INBOUND, _text(body="RENT", to="73223"))
    assert response.status_code == 200
    message = Message.objects.get(direction="mo")
    assert (message.company, message.message_type) == (other_company, MOType.OPT_IN)
    assert list(Profile.objects.values_list("company", flat=True)) == [other_company.pk]
    reply = Message.objects.get(direction="mt")
    assert (reply.company, reply.body) == (other_company, "Other Org rentals!")


def test_a_company_key_in_the_body_does_not_choose_the_company(client, company, other_company):
    """Only the number texted decides; a key in the body is not a number."""
    response = _post(client, INBOUND, _text(to="22822", company=other_company.key))
    assert response.status_code == 200
    assert Message.objects.get().company == company


# --- delivery receipts ---------------------------------------------------------------


def _sent(owner, gateway_id):
    profile = make_profile(owner, PHONE)
    return Message.objects.create(
        company=owner,
        profile=profile,
        phone_number=PHONE,
        direction=Message.Direction.MT,
        message_type="regular_text",
        status=Message.Status.QUEUED,
        originator=owner.short_code,
        gateway_message_id=gateway_id,
    )


def test_a_receipt_cannot_change_another_companys_message_with_the_same_gateway_id(
    client, company, other_company
):
    ours, theirs = _sent(company, "SMsame"), _sent(other_company, "SMsame")
    response = _post(client, RECEIPTS, {"id": "SMsame", "from": "22822", "status": "delivered"})
    assert response.json() == {"outcome": "delivered"}
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == (Message.Status.SENT, Message.Status.QUEUED)


def test_a_receipt_for_a_message_of_another_company_is_unknown(client, company, other_company):
    theirs = _sent(other_company, "SMtheirs")
    response = _post(client, RECEIPTS, {"id": "SMtheirs", "from": "22822", "status": "delivered"})
    assert response.json() == {"outcome": "unknown message"}
    theirs.refresh_from_db()
    assert theirs.status == Message.Status.QUEUED


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"id": "SM1", "status": "delivered"}, 400, "from is required"),
        ({"id": "SM1", "from": "55555", "status": "delivered"}, 422,
         "'55555' is not the number of any company"),
        ({"from": "22822", "status": "delivered"}, 400, "id is required"),
        ({"id": "SM1", "from": "22822", "status": "read"}, 400,
         "status must be delivered or failed"),
        ({"id": "SM1", "from": "22822", "status": "failed", "bounce": "very"}, 400,
         "bounce must be hard or soft"),
        ({"id": "SM1", "from": "22822", "status": "failed", "error": {"x": 1}}, 400,
         "error must be a string"),
    ],
)  # fmt: skip
def test_a_bad_receipt_gets_a_clear_error_and_changes_nothing(
    client, company, payload, status, error
):
    message = _sent(company, "SM1")
    response = _post(client, RECEIPTS, payload)
    assert (response.status_code, response.json()) == (status, {"error": error})
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
